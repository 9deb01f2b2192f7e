import * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";
import type { DockerEndpoint, ImageSource, RegistryAuth, SshHostConfig } from "../config/types";
import { dockerSshOptions } from "../render/sshOptions";

/** Credentials for the private registry the tier's images come from. */
export interface RegistryLogin {
  readonly auth: RegistryAuth;
  /** The secret `registryPassword`; it stays a secret in the provider's inputs. */
  readonly password: pulumi.Output<string>;
}

export interface DockerProviderArgs {
  readonly endpoint: DockerEndpoint;
  readonly host: SshHostConfig;
  readonly registry?: RegistryLogin;
}

/**
 * The registry login of a stack: `images.registryAuth` with the secret `registryPassword`
 * (validation makes them come together), or none.
 */
export function registryLoginOf(images: ImageSource, password: pulumi.Output<string> | undefined): RegistryLogin | undefined {
  const auth = images.kind === "registry" ? images.auth : undefined;
  if (auth === undefined) return undefined;
  if (password === undefined) throw new Error("images.registryAuth is set but the secret registryPassword is not");
  return { auth, password };
}

/**
 * The provider's `registryAuth`: the only credentials RemoteImage pulls send. The provider
 * pulls through the engine API itself (terraform-provider-docker v4.5.0
 * resource_docker_image_funcs.go pullImage) with X-Registry-Auth from this list, found by
 * the image's registry host[:port] exactly as the image name spells it (parseImageOptions;
 * each address is keyed without scheme or path, provider.go providerSetToRegistryAuth). An
 * image on a registry not listed is pulled without credentials, and a `docker login` on
 * the Docker host is never read. An image already on the engine is not pulled at all.
 */
export function registryAuthInput(login: RegistryLogin | undefined): docker.types.input.ProviderRegistryAuth[] | undefined {
  if (login === undefined) return undefined;
  // username is always set: without one upstream would read ~/.docker/config.json on the
  // machine running Pulumi (config_file's default) instead.
  return [{ address: login.auth.address, username: login.auth.username, password: pulumi.secret(login.password) }];
}

/**
 * An explicit provider per tier: nothing falls back to the ambient DOCKER_HOST.
 *
 * A new `host` replaces the provider. The bridge's DiffConfig updates a changed host in
 * place (pulumi-terraform-bridge pkg/tfbridge/provider.go: only ForcesProviderReplace
 * config replaces, and pulumi-docker sets it nowhere), and the engine then keeps every
 * container, network and image in state while they stay on the old engine; later deletes
 * would even go to the new engine and miss them.
 * Replaced, the provider gets a new id: the old one stays loaded for the old resources'
 * deletes (pulumi/pulumi pkg/resource/deploy/step_generator.go loads providers that exist
 * only in old state), and FlaskStack's children name this provider in `replaceWith`, so
 * each is deleted from the old engine and created on the new one. sshOpts alone (keys,
 * timeouts) is the same engine and updates in place.
 */
export function dockerProvider(name: string, args: DockerProviderArgs, opts?: pulumi.CustomResourceOptions): docker.Provider {
  return new docker.Provider(
    name,
    {
      host: args.endpoint.host,
      // The pinned key is flaskHost's: validation makes an ssh:// endpoint address that host.
      sshOpts: args.endpoint.kind === "ssh" ? dockerSshOptions(args.host, args.endpoint.identityFile) : undefined,
      registryAuth: registryAuthInput(args.registry),
    },
    { ...opts, replaceOnChanges: ["host"] },
  );
}
