import type { PlainConfig } from "../config/validate";
import { serviceCatalogue } from "../render/containers";
import { renderDockerUserFragment, tierChainName } from "../render/firewall/dockerUser";
import { firewallFragmentPath } from "../render/firewall/hostPaths";
import { firewallSpecOf } from "../render/firewall/spec";
import { renderUfwRules, ufwOwnerComment } from "../render/firewall/ufwRules";
import { sha256Hex } from "../render/nginx/fileFrames";
import { edgeSiteOf } from "../render/nginx/site";
import { aapanelFirewallExpectations } from "./aapanelFirewall";
import type { Expectation, HostExpectations } from "./types";

/**
 * What the program says each host should hold: rendered by the same functions the
 * program uses, so drift is measured against the code, not against a copy of it.
 */
export function expectedState(config: PlainConfig): HostExpectations[] {
  const hosts: HostExpectations[] = [];
  const aapanel: Expectation[] = [];
  if (config.publishThroughEdge) {
    const { files, paths } = edgeSiteOf(config);
    aapanel.push(
      ...files.map((file) => ({ kind: "file" as const, artifact: `nginx ${file.path}`, path: file.path, sha256: sha256Hex(file.content) })),
      // Earlier versions' zone file: beside the one site file it defines the zone twice, and
      // the next nginx -t (a panel save, a certificate renewal) fails for every site.
      { kind: "absent", artifact: `nginx ${paths.legacyHttpLevelConf}`, path: paths.legacyHttpLevelConf },
      { kind: "htpasswd", artifact: `htpasswd ${paths.htpasswdFile}`, path: paths.htpasswdFile, user: config.edge.operatorUser },
    );
  }
  aapanel.push(...aapanelFirewallExpectations(config));
  if (aapanel.length > 0) hosts.push({ role: "aapanel", host: config.aapanelHost, expectations: aapanel });

  const spec = firewallSpecOf(config);
  const fragment = renderDockerUserFragment(spec);
  const chain = tierChainName(config.tier);
  const ufw = renderUfwRules(spec);
  const fragmentPath = firewallFragmentPath(config.tier);
  hosts.push({
    role: "flask",
    host: config.flaskHost,
    expectations: [
      {
        kind: "file",
        artifact: `firewall ${fragmentPath}`,
        path: fragmentPath,
        sha256: sha256Hex(`${fragment}\n`),
      },
      { kind: "jump", artifact: `DOCKER-USER -j ${chain}`, chain },
      { kind: "chain", artifact: `iptables chain ${chain}`, chain, rules: fragment.split("\n").filter((line) => line.startsWith(`-A ${chain} `)) },
      { kind: "ufw", artifact: `ufw rules '${ufwOwnerComment(config.tier)}'`, comment: ufwOwnerComment(config.tier), rules: [...ufw.ssh, ...ufw.ports] },
      ...serviceCatalogue(config).map((service) => ({ kind: "container" as const, artifact: `container ${service.containerName}`, name: service.containerName })),
    ],
  });
  return hosts;
}
