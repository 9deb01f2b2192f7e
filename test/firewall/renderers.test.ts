import { describe, expect, it } from "vitest";
import { FIREWALL_SUMMARY_PATTERN } from "../../render/firewall/hostPaths";
import { firewallSpecProblems } from "../../render/firewall/validate";
import { renderDockerUserFragment } from "../../render/firewall/dockerUser";
import { renderFirewallApplyScript, renderFirewallDeleteScript, renderFirewallScripts } from "../../render/firewall/scripts";
import { renderUfwRules } from "../../render/firewall/ufwRules";
import { devSpec, expectFirewallScriptFrame, rexSpec, scriptInside } from "./fixtures";

describe("DOCKER-USER fragment", () => {
  it("matches the port the client connected to, only after Docker's DNAT", () => {
    const fragment = renderDockerUserFragment(rexSpec());
    expect(fragment.split("\n").filter((line) => !line.startsWith("#"))).toEqual([
      ":cm-infra-rex - [0:0]",
      "-A DOCKER-USER -j cm-infra-rex",
      "-A cm-infra-rex -s 10.0.0.2/32 -p tcp -m conntrack --ctstate DNAT --ctdir ORIGINAL --ctorigdstport 8001 -j RETURN",
      "-A cm-infra-rex -p tcp -m conntrack --ctstate DNAT --ctdir ORIGINAL --ctorigdstport 8001 -j DROP",
      "-A cm-infra-rex -p tcp -m conntrack --ctstate DNAT --ctdir ORIGINAL --ctorigdstport 3000 -j DROP",
    ]);
    expect(fragment).not.toContain("--dport");
  });

  it("lets dev's extra sources through next to the proxy", () => {
    const fragment = renderDockerUserFragment(devSpec());
    expect(fragment).toContain("-A cm-infra-dev -s 127.0.0.1/32 -p tcp -m conntrack --ctstate DNAT --ctdir ORIGINAL --ctorigdstport 8000 -j RETURN");
  });
});

describe("ufw rules", () => {
  it("are written the way `ufw show added` prints them, allows before denies", () => {
    expect(renderUfwRules(devSpec({ adminSources: ["any", "192.168.1.0/24"] }))).toEqual({
      ssh: ["allow 22/tcp", "allow from 192.168.1.0/24 to any port 22 proto tcp"],
      ports: [
        "allow from 10.0.0.2 to any port 8000 proto tcp",
        "allow from 127.0.0.1 to any port 8000 proto tcp",
        "deny 8000/tcp",
        "deny 3000/tcp",
      ],
    });
  });
});

describe("spec validation", () => {
  it("accepts the tiers' real settings", () => {
    expect(firewallSpecProblems(rexSpec())).toEqual([]);
    expect(firewallSpecProblems(devSpec())).toEqual([]);
  });

  it.each([
    ["a shell payload as proxy", { proxyAddress: "10.0.0.2; reboot" }, /allowed web source/],
    ["a network with host bits set (ufw would rewrite it)", { proxyAddress: "10.0.0.5/24" }, /allowed web source/],
    ["an IPv6 proxy", { proxyAddress: "fd00::2" }, /allowed web source/],
    ["no admin source", { adminSources: [] }, /locked out/],
    ["a bad admin source", { adminSources: ["everyone"] }, /admin source "everyone"/],
    ["the web port equal to SSH", { webPort: 22 }, /must differ/],
    ["port 0", { apiPort: 0 }, /apiPort must be a port/],
  ])("refuses %s", (_name, overrides, problem) => {
    expect(firewallSpecProblems(rexSpec(overrides)).join("\n")).toMatch(problem);
    expect(() => renderFirewallScripts(rexSpec(overrides))).toThrow(/invalid firewall settings for tier rex/);
  });
});

describe("remote scripts", () => {
  const scripts = renderFirewallScripts(rexSpec());

  it("runs the same idempotent script on create and update, with nothing on stdin", () => {
    expect(scripts.update).toBe(scripts.create);
    expect(scripts.stdin).toBe("");
    expect(scriptInside(scripts.create).trimEnd()).toBe(renderFirewallApplyScript(rexSpec()).trimEnd());
    expect(scriptInside(scripts.delete).trimEnd()).toBe(renderFirewallDeleteScript(rexSpec()).trimEnd());
  });

  it("starts strict, takes the lock and prints one summary line", () => {
    for (const script of [scriptInside(scripts.create), scriptInside(scripts.delete)]) {
      expectFirewallScriptFrame(script, "cm-infra firewall rex");
    }
  });

  it("names the config key when it refuses to enable ufw", () => {
    expect(scriptInside(scripts.create)).toContain("firewall.enableUfw is false");
  });

  it("exposes a summary pattern that tells changed from unchanged", () => {
    expect("x\ncm-infra firewall rex: unchanged\n").toMatch(FIREWALL_SUMMARY_PATTERN);
    expect("cm-infra firewall rex: changed".match(FIREWALL_SUMMARY_PATTERN)?.groups).toMatchObject({
      tier: "rex",
      result: "changed",
    });
    expect("cm-infra firewall rex: wrote /etc/cm-infra/firewall.d/rex.rules").not.toMatch(FIREWALL_SUMMARY_PATTERN);
  });
});
