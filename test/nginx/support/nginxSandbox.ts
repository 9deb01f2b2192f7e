import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import type { NginxLayout } from "../../../config/types";
import type { ManagedFile } from "../../../render/nginx/types";
import { eventually, execFileAsync, freePort, requireNginx } from "./tools";

export interface NginxSandbox {
  readonly root: string;
  /** Layout as the scripts see it, pointing into this temp tree. */
  readonly layout: NginxLayout;
  /** A second folder nginx.conf includes, for "the vhost folder moved" updates. */
  readonly altVhostDir: string;
  /** Exists but is not included by nginx.conf. */
  readonly notIncludedDir: string;
  /** The panel's own http-level file; must survive everything we do. */
  readonly panelFile: string;
  readonly accessLog: string;
  start(): Promise<void>;
  stop(): Promise<void>;
  /** nginx -t on the sandbox config; resolves with the combined output, never throws. */
  test(): Promise<{ ok: boolean; output: string }>;
  /** How many reloads the master has performed (its "reconfiguring" log lines). */
  reloadCount(): number;
  writeFiles(files: readonly ManagedFile[]): void;
}

/**
 * A throwaway nginx laid out like aaPanel: nginx.conf includes vhost/nginx/*.conf at http
 * level, and a panel-like 0.default.conf already defines limit_conn_zone perip/perserver
 * and $connection_upgrade, so a name clash with ours would fail `nginx -t`. pid, logs and
 * temp folders live in the tree, so it runs as root without touching /etc/nginx.
 */
export async function createNginxSandbox(): Promise<NginxSandbox> {
  const nginx = requireNginx();
  const root = mkdtempSync(join(tmpdir(), "cm-infra-nginx-"));
  const path = (...parts: string[]): string => join(root, ...parts);
  for (const folder of ["vhost/nginx", "alt-vhost/nginx", "not-included", "pass", "logs", "tmp", "run"]) {
    mkdirSync(path(folder), { recursive: true });
  }
  const conf = path("nginx.conf");
  const errorLog = path("logs/error.log");
  const accessLog = path("logs/access.log");
  const panelPort = await freePort();
  // Workers must read the 0640 root-owned htpasswd; aaPanel uses group www, which this machine lacks.
  const user = process.getuid?.() === 0 ? "user root;\n" : "";
  writeFileSync(
    conf,
    `${user}worker_processes 1;
pid ${path("run/nginx.pid")};
error_log ${errorLog} notice;
events { worker_connections 256; }
http {
    default_type text/plain;
    access_log ${accessLog};
    client_body_temp_path ${path("tmp/body")};
    proxy_temp_path ${path("tmp/proxy")};
    fastcgi_temp_path ${path("tmp/fastcgi")};
    uwsgi_temp_path ${path("tmp/uwsgi")};
    scgi_temp_path ${path("tmp/scgi")};
    include ${path("vhost/nginx")}/*.conf;
    include ${path("alt-vhost/nginx")}/*.conf;
}
`,
  );
  const panelFile = path("vhost/nginx/0.default.conf");
  writeFileSync(
    panelFile,
    `limit_conn_zone $binary_remote_addr zone=perip:10m;
limit_conn_zone $server_name zone=perserver:10m;
map $http_upgrade $connection_upgrade { default upgrade; '' close; }
server { listen 127.0.0.1:${panelPort} default_server; server_name _; return 404; }
`,
  );
  const run = (args: string[]) => execFileAsync(nginx, ["-e", errorLog, "-c", conf, ...args]);
  const pidFile = path("run/nginx.pid");
  // `nginx -t` leaves an empty pid file behind, so only a started master counts, and pid 0
  // (which would signal our own process group) is never used.
  let masterPid = 0;
  const readPid = (): number => {
    const pid = Number(readFileSync(pidFile, "utf8").trim());
    if (!Number.isInteger(pid) || pid <= 1) throw new Error(`no nginx master pid in ${pidFile} yet`);
    return pid;
  };

  return {
    root,
    layout: {
      vhostDir: path("vhost/nginx"),
      passDir: path("pass"),
      stateDir: path("state"),
      nginxBinary: nginx,
      nginxConf: conf,
      reloadCommand: `${nginx} -e ${errorLog} -c ${conf} -s reload`,
    },
    altVhostDir: path("alt-vhost/nginx"),
    notIncludedDir: path("not-included"),
    panelFile,
    accessLog,
    async start() {
      await run([]);
      masterPid = await eventually(async () => readPid());
    },
    async stop() {
      const pid = masterPid;
      masterPid = 0;
      if (pid > 1 && isAlive(pid)) {
        process.kill(pid, "SIGTERM");
        await eventually(async () => {
          if (isAlive(pid)) throw new Error(`nginx ${pid} still running`);
        });
      }
      rmSync(root, { recursive: true, force: true });
    },
    async test() {
      try {
        const { stdout, stderr } = await run(["-t"]);
        return { ok: true, output: stdout + stderr };
      } catch (error) {
        return { ok: false, output: String((error as { stderr?: string }).stderr ?? error) };
      }
    },
    reloadCount() {
      return existsSync(errorLog) ? readFileSync(errorLog, "utf8").split("\n").filter((line) => line.endsWith(": reconfiguring")).length : 0;
    },
    writeFiles(files) {
      for (const file of files) {
        mkdirSync(dirname(file.path), { recursive: true });
        writeFileSync(file.path, file.content);
      }
    },
  };
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
