import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { REQUIRED_SECRETS } from "../../config/keys";
import { firewallSpecOf } from "../../render/firewall/spec";
import { TIERS } from "../../config/types";
import { type PlainConfig, validateConfig } from "../../config/validate";
import { serviceCatalogue } from "../../render/containers";
import { renderFirewallScripts } from "../../render/firewall/scripts";
import { edgeSiteScripts } from "../../render/nginx/edgeSiteScripts";
import { htpasswdScripts } from "../../render/nginx/htpasswdScripts";
import { renderHtpasswd } from "../../render/nginx/htpasswd";
import { withReapplyGeneration } from "../../render/remoteScripts";
import { stackValues } from "./support/configArbitraries";
import { edgeSiteOf } from "../../render/nginx/site";

/** A bcrypt hash of the shape RandomPassword's bcryptHash has. */
const BCRYPT = `$2a$10$${"abcdefghijklmnopqrstuv".repeat(3).slice(0, 53)}`;

/** Everything index.ts renders from a config, as the program calls it (no resources). */
function renderEverything(config: PlainConfig): void {
  serviceCatalogue(config);
  withReapplyGeneration(renderFirewallScripts(firewallSpecOf(config)), config.reapplyGeneration);
  // Rendered whatever publishThroughEdge says: the edge must render for every valid config.
  const site = edgeSiteOf(config);
  withReapplyGeneration(edgeSiteScripts(site), config.reapplyGeneration);
  withReapplyGeneration(htpasswdScripts(site), config.reapplyGeneration);
  renderHtpasswd(config.edge.operatorUser, BCRYPT);
}

const RUNS = 600;

describe("every config the validator accepts renders without throwing", () => {
  test.each(TIERS)("tier %s", (tier) => {
    let accepted = 0;
    let refused = 0;
    fc.assert(
      fc.property(stackValues(tier), ({ values, registryPassword }) => {
        const result = validateConfig({
          stackName: tier,
          stackFile: `Pulumi.${tier}.yaml`,
          namespace: "cm-infra",
          values,
          presentSecrets: new Set([...REQUIRED_SECRETS, ...(registryPassword ? ["registryPassword"] : [])]),
          requiredSecrets: REQUIRED_SECRETS,
          secretsKnown: true,
        });
        if (!result.ok) {
          refused += 1;
          for (const line of result.problems) expect(line).toMatch(new RegExp(`^Pulumi\\.${tier}\\.yaml: cm-infra:[^\\s:]+: [^\\n]+$`));
          return;
        }
        accepted += 1;
        renderEverything(result.config);
      }),
      { numRuns: RUNS },
    );
    // The generator must exercise both sides, or the property proves nothing.
    expect(accepted).toBeGreaterThan(RUNS / 10);
    expect(refused).toBeGreaterThan(RUNS / 10);
  });
});
