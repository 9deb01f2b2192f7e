import type { ResourceValidationArgs, ResourceValidationPolicy } from "@pulumi/policy";
import {
  type Check,
  apiServerPublishesNoHostPort,
  containerDropsAllCapabilities,
  containerHasNoNewPrivileges,
  containerRunsAsNonRoot,
  noPortOnEveryInterface,
  productionImageIsPinned,
  remoteCommandPinsHostKey,
} from "./checks";
import type { PolicyResource } from "./resource";

/** The resource as the checks see it; props stay the library's unknown-checking proxy. */
export function policyResource(args: Pick<ResourceValidationArgs, "type" | "name" | "urn" | "props">): PolicyResource {
  return { type: args.type, name: args.name, urn: args.urn, props: args.props };
}

function policy(name: string, description: string, check: Check): ResourceValidationPolicy {
  return {
    name,
    description,
    enforcementLevel: "mandatory",
    validateResource: (args, reportViolation) => {
      for (const message of check(policyResource(args))) reportViolation(message);
    },
  };
}

/** Every policy of the pack, in the order a preview reports them. */
export const POLICIES: readonly ResourceValidationPolicy[] = [
  policy("api-server-publishes-no-host-port", "On rex, siong and sandbox the api-server container publishes no host port.", apiServerPublishesNoHostPort),
  policy("container-no-new-privileges", "Every container sets securityOpts no-new-privileges:true.", containerHasNoNewPrivileges),
  policy("container-drops-all-capabilities", "Every container drops ALL capabilities, adds none back and is not privileged.", containerDropsAllCapabilities),
  policy("container-runs-as-non-root", "Every container sets a user other than root (uid 0).", containerRunsAsNonRoot),
  policy("production-image-is-pinned", "On rex, siong and sandbox no image is referenced by the latest tag or without a tag.", productionImageIsPinned),
  policy("remote-command-pins-host-key", "Every remote command and copy pins the SSH host key of each hop.", remoteCommandPinsHostKey),
  policy("no-port-on-every-interface", "No container (web-view included) publishes a port on 0.0.0.0, :: or without an ip.", noPortOnEveryInterface),
];
