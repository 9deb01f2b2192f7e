import { AAPANEL_LAYOUT } from "../../config/defaults";
import { execFile } from "node:child_process";
import { describe, expect, it } from "vitest";
import type { NginxLayout } from "../../config/types";
import { edgeSiteScripts } from "../../render/nginx/edgeSiteScripts";
import { htpasswdScripts } from "../../render/nginx/htpasswdScripts";
import type { RemoteScripts } from "../../render/remoteScripts";
import { edgeSettings } from "./support/fixtures";
import { scriptOf } from "./support/remote";
import { requireTool } from "./support/tools";
import { edgeSite } from "../../render/nginx/site";
import { edgePaths } from "../../render/nginx/paths";

const layout: NginxLayout = {
  ...AAPANEL_LAYOUT,
  // A reload command with quotes, to prove the quoting survives shellcheck and bash.
  reloadCommand: "/etc/init.d/nginx reload || { echo 'reload failed'; exit 1; }",
};

function shellcheck(script: string): Promise<{ code: number; output: string }> {
  const binary = requireTool("shellcheck", "shellcheck");
  return new Promise((resolve) => {
    const child = execFile(binary, ["-s", "bash", "-"], (error, stdout, stderr) => {
      resolve({ code: error ? Number(error.code ?? 1) : 0, output: stdout + stderr });
    });
    child.stdin?.end(script);
  });
}

const cases: [string, RemoteScripts][] = [
  ["edge site (plain)", edgeSiteScripts(edgeSite(edgeSettings("dev", 8000), layout))],
  ["edge site (TLS)", edgeSiteScripts(edgeSite(edgeSettings("rex", 8000, { tls: { certificate: "/c.pem", certificateKey: "/k.pem" }, http2: true }), layout))],
  ["htpasswd", htpasswdScripts({ tier: "dev", paths: edgePaths(layout, "dev") })],
];

describe("remote scripts are shellcheck-clean", () => {
  for (const [name, scripts] of cases) {
    for (const action of ["create", "update", "delete"] as const) {
      it(`${name} ${action}`, async () => {
        expect(await shellcheck(scriptOf(scripts[action]))).toEqual({ code: 0, output: "" });
      });
    }
  }
});
