import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { dockerSshOptions } from "../../render/sshOptions";
import { changeCount } from "./applier";
import { type Credentials, type EdgeTarget, burst, request } from "./support/edgeClient";
import { type Applied, SandboxDeployment } from "./support/deployment";
import { type Sandbox, curlFrom, onHost, run, startSandbox, stopSandbox } from "./support/sandbox";

// The operator guide's verification list, made automatic: the real program applied to
// real hosts (sandbox containers), then checked from the test runner, the LAN host and
// the proxy host. Every step depends on the one before, so the file runs in order.
const PREFIX = process.env.CM_SANDBOX_PREFIX ?? "cmsbx";
const DOMAIN = "cm.sandbox.test";
const SCANNER_PATHS = ["/.env", "/.env.local", "/.git/config", "/.aws/credentials", "/wp-login.php", "/x/y.php"];

let sandbox: Sandbox;
let deployment: SandboxDeployment;
let first: Applied;
let edge: EdgeTarget;
let operator: Credentials;

function nginxWorkers(): string {
  // Anchored: an unanchored pattern also matches this very shell's command line.
  return onHost(sandbox.hosts.proxy, ["sh", "-c", "pgrep -f '^nginx: worker' | sort | tr '\\n' ' '"]).stdout.trim();
}

function drift(extraEnv: NodeJS.ProcessEnv = {}) {
  return run("npx", ["tsx", "scripts/drift.ts", "--stack", "sandbox", "--no-engine"], { env: { ...process.env, ...extraEnv }, timeoutMs: 120_000 });
}

function ourEdgeFiles(): string {
  return onHost(sandbox.hosts.proxy, ["sh", "-c", "ls /www/server/panel/vhost/nginx /www/server/pass 2>/dev/null | grep cm-infra || true"]).stdout.trim();
}

async function dockerPs(): Promise<string> {
  return (await deployment.dockerOnFlaskHost(["ps", "-a", "--format", "{{.Names}} {{.Status}}"])).stdout;
}

beforeAll(() => {
  sandbox = startSandbox(PREFIX);
  deployment = new SandboxDeployment(sandbox);
  edge = { address: sandbox.hosts.proxy.address, port: 80, domain: DOMAIN };
}, 45 * 60_000);

afterAll(() => {
  deployment?.close();
  if (process.env.CM_E2E_KEEP !== "1") stopSandbox(PREFIX);
}, 5 * 60_000);

describe("first apply from empty", () => {
  test("converges: every resource created, nothing failed", async () => {
    first = await deployment.apply();
    expect(first.counters.resources.created).toBeGreaterThan(20);
    expect(first.outputs.operatorUser).toBe("sandbox-operator");
    operator = { user: String(first.outputs.operatorUser), password: String(first.outputs.operatorPassword) };
    expect(operator.password).toMatch(/^[A-Za-z0-9]{32}$/);
  }, 15 * 60_000);

  test("every container runs with the hardening the program sets", async () => {
    const names = ["mysql", "api-server", "web-view", "telegram-bot", "credit-transfer"].map((service) => `sandbox-${service}`);
    const inspect = await deployment.dockerOnFlaskHost([
      "inspect",
      "--format",
      "{{.Name}} {{.State.Status}} ro={{.HostConfig.ReadonlyRootfs}} caps={{.HostConfig.CapDrop}} sec={{.HostConfig.SecurityOpt}} user={{.Config.User}} restart={{.HostConfig.RestartPolicy.Name}}",
      ...names,
    ]);
    const lines = inspect.stdout.trim().split("\n");
    expect(lines).toHaveLength(5);
    for (const line of lines) {
      expect(line).toContain(" running ro=true caps=[ALL] sec=[no-new-privileges:true]");
      expect(line).toMatch(/user=[1-9]\d*:[1-9]\d* restart=unless-stopped$/);
    }
  });

  test("production flavour: gunicorn listening, no development server", async () => {
    for (const container of ["sandbox-web-view", "sandbox-api-server"]) {
      const logs = await deployment.dockerOnFlaskHost(["logs", container]);
      const text = logs.stdout + logs.stderr;
      expect(text, container).toMatch(/Listening at: http:\/\/0\.0\.0\.0:(8000|3000)/);
      expect(text, container).not.toContain("development server");
    }
  });
});

describe("the Docker provider's ssh transport", () => {
  const sshWith = (hostKey: string) => {
    const flask = sandbox.hosts.flaskhost;
    const options = dockerSshOptions({ address: flask.address, sshPort: flask.sshPort, hostKey }, sandbox.sshKey);
    return run("ssh", [...options, "-p", String(flask.sshPort), `root@${flask.address}`, "docker", "version", "--format", "{{.Server.Version}}"]);
  };

  test("the pinned key (KnownHostsCommand) reaches the Flask host's engine", () => {
    const result = sshWith(sandbox.hosts.flaskhost.hostKey);
    expect(result.stderr).toBe("");
    expect(result.stdout.trim()).toMatch(/^\d+\.\d+/);
  });

  test("any other host key is refused", () => {
    const result = sshWith(sandbox.hosts.proxy.hostKey);
    expect(result.status).toBe(255);
    expect(result.stderr).toMatch(/Host key verification failed|REMOTE HOST IDENTIFICATION HAS CHANGED/);
  });
});

describe("the guide's verification list", () => {
  test("no credentials: 401", () => {
    expect(request(edge, "/").status).toBe(401);
    expect(request(edge, "/api/acc/", { user: operator.user, password: "wrong-password" }).status).toBe(401);
  });

  test("credentials: /api/acc/ JSON through proxy, web-view and api-server", () => {
    const response = request(edge, "/api/acc/", operator);
    expect(response.status).toBe(200);
    expect(Array.isArray(JSON.parse(response.body))).toBe(true);
  });

  test("scanner paths: connection closed, and web-view never sees them", async () => {
    for (const path of SCANNER_PATHS) {
      const response = request(edge, path, operator);
      expect(response.exitCode, path).toBe(52);
    }
    const logs = await deployment.dockerOnFlaskHost(["logs", "sandbox-web-view"]);
    for (const path of SCANNER_PATHS) expect(logs.stdout + logs.stderr).not.toContain(path);
  });

  test("robots.txt disallows everything", () => {
    const response = request(edge, "/robots.txt");
    expect(response.status).toBe(200);
    expect(response.body).toBe("User-agent: *\nDisallow: /\n");
  });

  test("a burst of 200 requests gets 429s after the burst allowance", () => {
    // limit_req runs before auth_basic, so a client without credentials (a scanner, a
    // password guesser) is limited too; the answers are fast, so the burst really is one.
    // (Not robots.txt: its `return` answers in the rewrite phase, before limit_req.)
    const statuses = burst(edge, "/", 200);
    expect(statuses).toHaveLength(200);
    expect(statuses.slice(0, 61).every((status) => status === 401)).toBe(true);
    expect(statuses.filter((status) => status === 429).length).toBeGreaterThan(50);
  });

  test("LAN host: web port and API port blocked; proxy host: web port open", () => {
    const flask = sandbox.hosts.flaskhost.address;
    expect(curlFrom(sandbox.hosts.proxy, `http://${flask}:8001/`).stdout).toBe("200");
    const lanWeb = curlFrom(sandbox.hosts.lan, `http://${flask}:8001/`);
    expect(lanWeb.stdout).toBe("000");
    expect(lanWeb.status).not.toBe(0);
    expect(curlFrom(sandbox.hosts.lan, `http://${flask}:3000/`).stdout).toBe("000");
  });

  test("SSH to the Flask host still works with ufw enabled", () => {
    const status = onHost(sandbox.hosts.flaskhost, ["ufw", "status"]);
    expect(status.stdout).toContain("Status: active");
    const ssh = run("ssh", ["-i", sandbox.sshKey, "-o", "BatchMode=yes", "-o", `UserKnownHostsFile=${sandbox.knownHosts}`, "-o", "StrictHostKeyChecking=yes", `root@${sandbox.hosts.flaskhost.address}`, "true"]);
    expect(ssh.status).toBe(0);
  });
});

describe("a second apply", () => {
  test("changes nothing and reloads nothing", async () => {
    const workers = nginxWorkers();
    const second = await deployment.apply();
    expect(changeCount(second.counters)).toBe(0);
    expect(second.counters.sshSessions).toBe(0);
    expect(nginxWorkers()).toBe(workers);
  }, 10 * 60_000);

  test("up --refresh right after converging plans nothing: every value the provider reads back is what the program wrote", async () => {
    const refreshed = await deployment.apply({}, { refresh: true });
    expect(refreshed.counters.changes).toEqual([]);
    expect(changeCount(refreshed.counters)).toBe(0);
  }, 10 * 60_000);
});

describe("drift detection", () => {
  test("clean deploy: exit 0", () => {
    const result = drift();
    expect(result.stdout).toContain("drift: stack sandbox is clean");
    expect(result.status).toBe(0);
  });

  test.each([
    ["an edited nginx snippet", "nginx /www/server/panel/vhost/nginx/cm-infra-sandbox.conf", () => onHost(sandbox.hosts.proxy, ["sh", "-c", "echo '# hand edit' >> /www/server/panel/vhost/nginx/cm-infra-sandbox.conf"])],
    ["a deleted htpasswd file", "htpasswd /www/server/pass/cm-infra-sandbox/sandbox.htpasswd", () => onHost(sandbox.hosts.proxy, ["rm", "/www/server/pass/cm-infra-sandbox/sandbox.htpasswd"])],
    ["a removed DOCKER-USER rule", "iptables chain cm-infra-sandbox", () => onHost(sandbox.hosts.flaskhost, ["iptables", "-D", "cm-infra-sandbox", "1"])],
    ["a stopped container", "container sandbox-telegram-bot", () => onHost(sandbox.hosts.flaskhost, ["docker", "stop", "sandbox-telegram-bot"])],
  ])("%s: exit 1 naming it", (_what, artifact, change) => {
    expect(change().status).toBe(0);
    const result = drift();
    expect(result.status).toBe(1);
    const line = result.stdout.split("\n").find((row) => row.includes(artifact));
    expect(line, result.stdout).toMatch(/DRIFT$/);
  });

  test("re-apply (reapplyGeneration bumped, --refresh for Docker): exit 0 again", async () => {
    const repaired = await deployment.apply({ reapplyGeneration: "1" }, { refresh: true });
    // Every remote command: the Flask host's firewall, the aaPanel host's firewall, the htpasswd and the site.
    expect(repaired.counters.commands.update).toBe(4);
    // The stopped container reads back as mustRun false: an update that starts it, no replacement.
    expect(repaired.counters.resources.replaced).toBe(0);
    expect(repaired.counters.resources.updated).toBe(5);
    expect(await dockerPs()).toMatch(/sandbox-telegram-bot Up/);
    const result = drift();
    expect(result.stdout).toContain("drift: stack sandbox is clean");
    expect(result.status).toBe(0);
  }, 10 * 60_000);

  test("an unreachable host: exit 2 with the reason", () => {
    expect(run("docker", ["pause", sandbox.hosts.proxy.container]).status).toBe(0);
    try {
      const result = drift();
      expect(result.status).toBe(2);
      expect(result.stderr).toMatch(/could not check: ssh root@[\d.]+:22 failed/);
    } finally {
      run("docker", ["unpause", sandbox.hosts.proxy.container]);
    }
  }, 60_000);
});

describe("an apply with changed config", () => {
  const NEW_PORT = 8002;
  let previousPassword: string;

  test("a new web port and a rotated password converge in place", async () => {
    previousPassword = operator.password;
    const changed = await deployment.apply({ reapplyGeneration: "1", webPort: String(NEW_PORT), edge: JSON.stringify({ operatorUser: "sandbox-operator", passwordRotation: "2" }) });
    expect(changed.counters.resources.created + changed.counters.resources.replaced).toBeGreaterThan(0);
    operator = { user: operator.user, password: String(changed.outputs.operatorPassword) };
    expect(operator.password).not.toBe(previousPassword);
  }, 10 * 60_000);

  test("the hosts follow: new password works, old one is refused, traffic reaches the new port", () => {
    expect(request(edge, "/api/acc/", operator).status).toBe(200);
    expect(request(edge, "/api/acc/", { user: operator.user, password: previousPassword }).status).toBe(401);
    const flask = sandbox.hosts.flaskhost.address;
    expect(curlFrom(sandbox.hosts.proxy, `http://${flask}:${NEW_PORT}/`).stdout).toBe("200");
    expect(curlFrom(sandbox.hosts.lan, `http://${flask}:${NEW_PORT}/`).stdout).toBe("000");
    expect(curlFrom(sandbox.hosts.proxy, `http://${flask}:8001/`).stdout).toBe("000");
    const chain = onHost(sandbox.hosts.flaskhost, ["iptables", "-S", "cm-infra-sandbox"]).stdout;
    expect(chain).toContain(`--ctorigdstport ${NEW_PORT}`);
    expect(chain).not.toContain("--ctorigdstport 8001");
  });
});

describe("destroy", () => {
  test("removes every file, rule and container of ours and keeps the database volume", async () => {
    const destroyed = await deployment.destroy();
    expect(destroyed.resources.retained).toBe(1);
    expect(ourEdgeFiles()).toBe("");
    expect(await dockerPs()).not.toMatch(/sandbox-/);
    const volumes = await deployment.dockerOnFlaskHost(["volume", "ls", "--format", "{{.Name}}"]);
    expect(volumes.stdout.split("\n")).toContain("sandbox-mysql-data");
    const firewall = onHost(sandbox.hosts.flaskhost, ["sh", "-c", "iptables-save | grep -c cm-infra-sandbox; grep -c 'cm-infra' /etc/ufw/after.rules; true"]);
    expect(firewall.stdout.trim().split("\n")).toEqual(["0", "0"]);
    // ufw stays active, so our SSH allow rule is the one thing destroy keeps: removing it
    // would lock the operator out. Every other rule of ours is gone.
    const remaining = onHost(sandbox.hosts.flaskhost, ["sh", "-c", "ufw show added | grep 'cm-infra:sandbox' || true"]).stdout.trim();
    expect(remaining === "" || remaining === "ufw allow 22/tcp comment 'cm-infra:sandbox'", remaining).toBe(true);
  }, 10 * 60_000);
});
