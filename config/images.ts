import {
  imageDigestProblems,
  imagePrefixProblems,
  imageTagProblems,
  parseImageReference,
  pinnedImageProblems,
  registryAddressProblems,
  registryOf,
} from "./values/images";
import { tokenProblems } from "./values/names";
import { absolutePathProblems } from "./values/paths";
import { REGISTRY_PASSWORD_SECRET } from "./defaults";
import { type Reader, show } from "./reader";
import { PRODUCTION_TIERS, type ImageSource, type RegistryAuth, type TierName } from "./types";

const PULLED_FIELDS = ["prefix", "tag", "digest", "registryAuth"] as const;
const BUILT_FIELDS = ["sourcePath"] as const;

export function readImages(read: Reader, tier: TierName, value: unknown): ImageSource {
  if (tier === "dev") {
    const notOnDev = "dev builds its images from images.sourcePath and pulls none: remove it";
    const raw = read.section("images", value, BUILT_FIELDS, { misplaced: Object.fromEntries(PULLED_FIELDS.map((field) => [field, notOnDev])) });
    return { kind: "build", sourcePath: read.checked("images.sourcePath", raw.sourcePath, absolutePathProblems) };
  }
  const raw = read.section("images", value, PULLED_FIELDS, {
    misplaced: { sourcePath: `only dev builds from a checkout; ${tier} pulls <prefix>/cm-api:<tag>: remove it` },
  });
  const prefix = read.checked("images.prefix", raw.prefix, imagePrefixProblems);
  const tag = raw.tag === undefined ? undefined : read.checked("images.tag", raw.tag, imageTagProblems);
  const digest = raw.digest === undefined ? undefined : read.checked("images.digest", raw.digest, imageDigestProblems);
  if (tag === undefined && digest === undefined) read.add("images", "needs a tag or a digest (images.tag: \"2026.11.1\" or images.digest: \"sha256:...\")");
  else if (PRODUCTION_TIERS.includes(tier) && tag !== undefined) read.check("images.tag", pinnedImageProblems("the tag", tag, digest, tier));
  const auth = raw.registryAuth === undefined ? undefined : readRegistryAuth(read, raw.registryAuth);
  return { kind: "registry", prefix, tag, digest, ...(auth === undefined ? {} : { auth }) };
}

function readRegistryAuth(read: Reader, value: unknown): RegistryAuth {
  const raw = read.section("images.registryAuth", value, ["address", "username"], {
    misplaced: { password: `must not be in the stack file: set it with pulumi config set --secret ${REGISTRY_PASSWORD_SECRET}` },
  });
  return {
    address: read.checked("images.registryAuth.address", raw.address, registryAddressProblems),
    username: read.checked("images.registryAuth.username", raw.username, tokenProblems),
  };
}

/** The database image: a valid reference, and on production tiers a pinned one. */
export function readDatabaseImage(read: Reader, tier: TierName, value: unknown): string {
  const image = read.string("app.databaseImage", value, "mysql:8.0");
  const { reference, problems } = parseImageReference(image);
  if (!read.check("app.databaseImage", problems) || reference === undefined) return image;
  if (PRODUCTION_TIERS.includes(tier)) {
    read.check("app.databaseImage", pinnedImageProblems(show(image), reference.tag, reference.digest, tier));
  }
  return image;
}

export interface SecretsSeen {
  readonly present: ReadonlySet<string>;
  /** false for tools that read the stack file without the engine and see no secrets. */
  readonly known: boolean;
  readonly stackName: string;
}

function hostOf(address: string): string {
  return address.replace(/:[0-9]+$/, "");
}

/**
 * Credentials go to one registry: the one images.prefix pulls from. The password is a
 * secret, present exactly when registryAuth is set.
 */
export function checkRegistryAuth(read: Reader, images: ImageSource, databaseImage: string, secrets: SecretsSeen): void {
  const auth = images.kind === "registry" ? images.auth : undefined;
  const hasPassword = secrets.present.has(REGISTRY_PASSWORD_SECRET);
  if (auth === undefined) {
    if (hasPassword) read.add(REGISTRY_PASSWORD_SECRET, `is set but images.registryAuth is not: set images.registryAuth or remove it with pulumi config rm ${REGISTRY_PASSWORD_SECRET}`);
    return;
  }
  if (secrets.known && !hasPassword) {
    read.add(REGISTRY_PASSWORD_SECRET, `secret is missing (images.registryAuth is set): pulumi config set --secret ${REGISTRY_PASSWORD_SECRET} --stack ${secrets.stackName}`);
  }
  if (images.kind !== "registry" || auth.address === "" || registryAddressProblems(auth.address).length > 0) return;
  const registry = registryOf(images.prefix);
  if (images.prefix !== "" && registry !== auth.address) {
    read.add(
      "images.registryAuth.address",
      `${show(auth.address)} is not the registry images.prefix pulls from (${registry === undefined ? "Docker Hub" : show(registry)}): images.prefix must start with "${auth.address}/"`,
    );
  }
  const database = registryOf(databaseImage);
  if (database !== undefined && database !== auth.address && hostOf(database) === hostOf(auth.address)) {
    read.add(
      "app.databaseImage",
      `${show(databaseImage)} is on ${show(database)}, not on images.registryAuth.address ${show(auth.address)}: the credentials are sent only to ${show(auth.address)}`,
    );
  }
}
