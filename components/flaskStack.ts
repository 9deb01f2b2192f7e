import * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";
import type { AppSecrets, ImageSource, TierName } from "../config/types";
import { isLoopbackIpv4 } from "../config/values/addresses";
import {
  APP_IMAGES,
  DOCKERFILES,
  type AppImage,
  type EnvValue,
  type HealthCheck,
  type NetworkRole,
  type ServiceSpec,
  goDuration,
  networkName,
} from "../render/containers";

export interface FlaskStackArgs {
  readonly tier: TierName;
  readonly services: readonly ServiceSpec[];
  readonly images: ImageSource;
  readonly databaseImage: string;
  readonly secrets: AppSecrets;
  /** The tier's Docker engine; every child names it. */
  readonly provider: docker.Provider;
  /**
   * The app host's firewall. Every container waits for it, so no port is published before
   * the rule that filters it, and goes before it on destroy. The images, networks and the
   * volume do not wait: pulls run while the firewall applies.
   */
  readonly firewall: pulumi.Resource;
}

const LOG_OPTIONS = { "max-size": "10m", "max-file": "3" };

/**
 * Container inputs the Docker provider neither replaces on nor applies in place: they are
 * not ForceNew and Update only applies restart, memory and cpu settings
 * (terraform-provider-docker v4.5.0 resource_docker_container.go schema and
 * resource_docker_container_funcs.go resourceDockerContainerUpdate). Without this the plan
 * says "update" and the running container keeps its old value.
 */
export const CONTAINER_REPLACE_ON_CHANGES = ["healthcheck", "tmpfs"] as const;

/**
 * Seconds the provider's delete lets a container stop before it is removed (its default is
 * a stop with timeout 0, i.e. SIGKILL): MySQL needs a clean shutdown, gunicorn drains.
 */
const DESTROY_GRACE_SECONDS = { database: 60, app: 15 } as const;

/**
 * The cm Flask stack on one Docker engine: two networks, the database volume, the images
 * and one hardened container per service.
 */
export class FlaskStack extends pulumi.ComponentResource {
  public readonly containerNames: pulumi.Output<Record<string, string>>;
  public readonly networkNames: pulumi.Output<Record<NetworkRole, string>>;
  public readonly webUrl: pulumi.Output<string>;
  public readonly databaseVolume: pulumi.Output<string>;

  constructor(name: string, args: FlaskStackArgs, opts?: pulumi.ComponentResourceOptions) {
    super("cm:app:FlaskStack", name, {}, opts);
    // replaceWith: the provider is replaced when the tier moves to another engine (see
    // dockerProvider.ts); everything on the old engine is then replaced too, its delete
    // going through the old provider to the old engine.
    const child = { parent: this, provider: args.provider, replaceWith: [args.provider] };
    // Fixed names exist once per engine: the old copy must go before the new one is made
    // (the bridge sets delete-before-replace for containers only, pulumi-docker
    // provider/resources.go; Docker >= 25 refuses a second network of the same name).
    const named = { ...child, deleteBeforeReplace: true };

    const networks: Record<NetworkRole, docker.Network> = {
      internal: new docker.Network(`${name}-internal`, { name: networkName(args.tier, "internal"), internal: true }, named),
      egress: new docker.Network(`${name}-egress`, { name: networkName(args.tier, "egress") }, named),
    };

    // Kept on destroy and on container replacement: the data outlives any deploy.
    const databaseVolume = new docker.Volume(
      `${name}-database`,
      { name: `${args.tier}-mysql-data` },
      { ...named, retainOnDelete: true },
    );

    const imageRefs = this.appImages(name, args, child);
    const databaseImage = new docker.RemoteImage(`${name}-database-image`, { name: args.databaseImage, keepLocally: true }, child);

    const containers = args.services.map((spec) => {
      const image = spec.image === "database" ? databaseImage.imageId : imageRefs[spec.image];
      return new docker.Container(
        `${name}-${spec.service}`,
        {
          name: spec.containerName,
          image,
          command: spec.command ? [...spec.command] : undefined,
          envs: environment(spec.env, args.secrets),
          networksAdvanced: spec.networks.map((network) => ({ name: networks[network.role].name, aliases: [...network.aliases] })),
          ports: spec.ports.map((port) => ({ internal: port.internal, external: port.external, ip: port.ip, protocol: "tcp" })),
          healthcheck: spec.healthCheck ? healthcheck(spec.healthCheck) : undefined,
          wait: spec.healthCheck !== undefined,
          waitTimeout: spec.healthCheck?.waitTimeoutSeconds,
          restart: "unless-stopped",
          logDriver: "json-file",
          logOpts: LOG_OPTIONS,
          memory: spec.memoryMb,
          memorySwap: spec.memoryMb,
          securityOpts: ["no-new-privileges:true"],
          capabilities: { drops: ["ALL"] },
          readOnly: true,
          tmpfs: { ...spec.tmpfs },
          user: spec.user,
          volumes: spec.volumes.map((volume) => ({ volumeName: databaseVolume.name, containerPath: volume.containerPath })),
          mustRun: true,
          destroyGraceSeconds: spec.image === "database" ? DESTROY_GRACE_SECONDS.database : DESTROY_GRACE_SECONDS.app,
        },
        { ...child, dependsOn: [args.firewall], replaceOnChanges: [...CONTAINER_REPLACE_ON_CHANGES] },
      );
    });

    this.containerNames = pulumi
      .all(containers.map((container) => container.name))
      .apply((names) => Object.fromEntries(args.services.map((spec, index) => [spec.service, names[index] ?? spec.containerName])));
    this.networkNames = pulumi.all([networks.internal.name, networks.egress.name]).apply(([internal, egress]) => ({ internal, egress }));
    const webView = containers[args.services.findIndex((spec) => spec.service === "web-view")];
    if (webView === undefined) throw new Error("FlaskStack: the service catalogue has no web-view");
    this.webUrl = webView.ports.apply(lanWebUrl);
    this.databaseVolume = databaseVolume.name;
    this.registerOutputs({
      containerNames: this.containerNames,
      networkNames: this.networkNames,
      webUrl: this.webUrl,
      databaseVolume: this.databaseVolume,
    });
  }

  private appImages(name: string, args: FlaskStackArgs, child: pulumi.CustomResourceOptions): Record<AppImage, pulumi.Output<string>> {
    const source = args.images;
    const entries = APP_IMAGES.map((image): [AppImage, pulumi.Output<string>] => {
      if (source.kind === "build") {
        const built = new docker.Image(
          `${name}-${image}`,
          {
            imageName: `local/${image}:${args.tier}`,
            build: { context: source.sourcePath, dockerfile: `${source.sourcePath}/${DOCKERFILES[image]}` },
            skipPush: true,
          },
          child,
        );
        return [image, built.imageName];
      }
      const reference = source.digest ? `${source.prefix}/${image}@${source.digest}` : `${source.prefix}/${image}:${source.tag}`;
      const pulled = new docker.RemoteImage(`${name}-${image}`, { name: reference, keepLocally: true }, child);
      return [image, pulled.imageId];
    });
    return Object.fromEntries(entries) as Record<AppImage, pulumi.Output<string>>;
  }
}

/**
 * web-view's address on the LAN, as the engine reports its bindings: the one that is not
 * loopback (dev also binds 127.0.0.1), or loopback when that is the only one.
 */
function lanWebUrl(ports: readonly docker.types.output.ContainerPort[] | undefined): string {
  const bindings = (ports ?? []).filter((port): port is docker.types.output.ContainerPort & { ip: string } => port.ip !== undefined);
  const lan = bindings.find((port) => !isLoopbackIpv4(port.ip)) ?? bindings[0];
  if (lan === undefined) throw new Error("FlaskStack: web-view publishes no port");
  return `http://${lan.ip}:${lan.external}/`;
}

/** Env as "K=V" strings; the whole list is a secret as soon as one value is. */
function environment(env: Readonly<Record<string, EnvValue>>, secrets: AppSecrets): pulumi.Output<string[]> {
  const names = Object.keys(env).sort();
  const values = names.map((key) => {
    const value = env[key];
    if (value === undefined) throw new Error(`env ${key} has no value`);
    return "secret" in value ? secrets[value.secret] : pulumi.output(value.text);
  });
  const usesSecret = names.some((key) => {
    const value = env[key];
    return value !== undefined && "secret" in value;
  });
  const list = pulumi.all(values).apply((resolved) => names.map((key, index) => `${key}=${resolved[index] ?? ""}`));
  return usesSecret ? pulumi.secret(list) : list;
}

function healthcheck(check: HealthCheck): docker.types.input.ContainerHealthcheck {
  return {
    tests: [...check.test],
    interval: goDuration(check.intervalSeconds),
    timeout: goDuration(check.timeoutSeconds),
    retries: check.retries,
    startPeriod: goDuration(check.startPeriodSeconds),
  };
}
