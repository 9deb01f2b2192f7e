import * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";
import type { AppSecrets, ImageSource, TierName } from "../config/types";
import {
  APP_IMAGES,
  DOCKERFILES,
  type AppImage,
  type EnvValue,
  type HealthCheck,
  type NetworkRole,
  type ServiceSpec,
  networkName,
} from "../render/containers";

export interface FlaskStackArgs {
  readonly tier: TierName;
  readonly services: readonly ServiceSpec[];
  readonly images: ImageSource;
  readonly databaseImage: string;
  readonly secrets: AppSecrets;
  /** The tier's Docker engine; every child uses it. */
  readonly provider: docker.Provider;
  readonly webUrl: string;
}

const LOG_OPTIONS = { "max-size": "10m", "max-file": "3" };

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
    super("cm:app:FlaskStack", name, {}, { ...opts, providers: { docker: args.provider } });
    // Children do not inherit the component's dependsOn; pass it on, so no container
    // publishes a port before the firewall that filters it is in place.
    const child = { parent: this, provider: args.provider, dependsOn: opts?.dependsOn };

    const networks: Record<NetworkRole, docker.Network> = {
      internal: new docker.Network(`${name}-internal`, { name: networkName(args.tier, "internal"), internal: true }, child),
      egress: new docker.Network(`${name}-egress`, { name: networkName(args.tier, "egress") }, child),
    };

    // Kept on destroy and on container replacement: the data outlives any deploy.
    const databaseVolume = new docker.Volume(
      `${name}-database`,
      { name: `${args.tier}-mysql-data` },
      { ...child, retainOnDelete: true },
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
        },
        child,
      );
    });

    this.containerNames = pulumi
      .all(containers.map((container) => container.name))
      .apply((names) => Object.fromEntries(args.services.map((spec, index) => [spec.service, names[index] ?? spec.containerName])));
    this.networkNames = pulumi.all([networks.internal.name, networks.egress.name]).apply(([internal, egress]) => ({ internal, egress }));
    this.webUrl = pulumi.output(args.webUrl);
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
    interval: `${check.intervalSeconds}s`,
    timeout: `${check.timeoutSeconds}s`,
    retries: check.retries,
    startPeriod: `${check.startPeriodSeconds}s`,
  };
}
