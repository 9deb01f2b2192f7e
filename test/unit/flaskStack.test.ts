import { beforeAll, describe, expect, test } from "vitest";
import { PRODUCTION_TIERS, SERVICES as SERVICE_NAMES, type TierName } from "../../config/types";
import { type ServiceCatalogueInput, serviceCatalogue } from "../../render/containers";
import { type ProgramRun, SECRET_KEYS, fakeSecret, isSecretInput, runProgram, unwrapSecret, plaintextStrings } from "../support/program";

const CONTAINER = "docker:index/container:Container";
const EXPECTED_WEB_PORT = { rex: 8001, siong: 8005, dev: 8000, sandbox: 8001 } as const;
/** lanAddress in each committed stack file (the sandbox's comes from its state fixture). */
const LAN_ADDRESS: Readonly<Record<TierName, string>> = { rex: "192.0.2.10", siong: "192.0.2.20", dev: "192.0.2.30", sandbox: "198.51.100.3" };
const SANDBOX_FIXTURE = "test/fixtures/sandbox/sandbox.json";
const SERVICES = ["mysql", "api-server", "web-view", "telegram-bot", "credit-transfer"];

interface PortInput {
  internal: number;
  external: number;
  ip: string;
  protocol: string;
}

function webBinding(ip: string, port: number): PortInput {
  return { internal: 8000, external: port, ip, protocol: "tcp" };
}

function container(run: ProgramRun, tier: string, service: string): Record<string, unknown> {
  return run.one(CONTAINER, `${tier}-${service}`).inputs;
}

function envList(inputs: Record<string, unknown>): string[] {
  return unwrapSecret(inputs.envs) as string[];
}


describe.each(["rex", "siong", "dev"] as const)("stack %s", (tier) => {
  let run: ProgramRun;
  beforeAll(async () => {
    run = await runProgram(tier);
  });

  test("creates the five containers named <tier>-<service>", () => {
    const names = run.byType(CONTAINER).map((resource) => resource.inputs.name);
    expect(names.sort()).toEqual(SERVICES.map((service) => `${tier}-${service}`).sort());
  });

  test(`publishes web-view at port ${EXPECTED_WEB_PORT[tier]} on the LAN address${tier === "dev" ? " and 127.0.0.1" : " alone"}, and nothing else publicly`, () => {
    const web = container(run, tier, "web-view");
    const port = EXPECTED_WEB_PORT[tier];
    // Dev's two bindings in the order Docker >= 27 reads them back: by host address.
    const expected = tier === "dev" ? [webBinding("127.0.0.1", port), webBinding(LAN_ADDRESS.dev, port)] : [webBinding(LAN_ADDRESS[tier], port)];
    expect(web.ports).toEqual(expected);
    for (const service of SERVICES.filter((name) => name !== "web-view" && name !== "api-server")) {
      expect(container(run, tier, service).ports, service).toEqual([]);
    }
  });

  if (tier === "dev") {
    test("dev publishes the API on 127.0.0.1:3000 only and runs Flask's dev server", () => {
      const api = container(run, tier, "api-server");
      expect(api.ports).toEqual([{ internal: 3000, external: 3000, ip: "127.0.0.1", protocol: "tcp" }]);
      expect(api.command).toEqual(["python", "-m", "app.cm_api"]);
      expect(container(run, tier, "web-view").command).toEqual(["python", "-m", "app.cm_web_view"]);
    });

    test("dev builds its images from the local checkout instead of pulling", () => {
      const builds = run.byType("docker:index/image:Image");
      expect(builds.map((image) => image.inputs.imageName).sort()).toEqual(["local/cm-api:dev", "local/cm-telegram:dev", "local/cm-transfer:dev", "local/cm-web:dev"]);
      expect(run.byType("docker:index/remoteImage:RemoteImage").map((image) => image.inputs.name)).toEqual(["mysql:8.0"]);
    });
  } else {
    test("api-server publishes no host port", () => {
      const api = container(run, tier, "api-server");
      expect(api.ports ?? []).toEqual([]);
    });

    test("api-server and web-view run gunicorn with the configured workers and timeout", () => {
      const api = container(run, tier, "api-server").command as string[];
      const web = container(run, tier, "web-view").command as string[];
      expect(api[0]).toBe("gunicorn");
      expect(api.slice(-3)).toEqual(["--bind", "0.0.0.0:3000", "app.cm_api:create_app()"]);
      expect(web.slice(-3)).toEqual(["--bind", "0.0.0.0:8000", "app.cm_web_view:app"]);
      for (const command of [api, web]) {
        expect(command.join(" ")).toContain("--workers 2 --timeout 30");
        expect(command.join(" ")).not.toContain("python -m");
      }
    });

    test("images are pulled from the registry at the pinned tag", () => {
      const names = run.byType("docker:index/remoteImage:RemoteImage").map((image) => image.inputs.name);
      expect(names).toContain("registry.example.com/cm/cm-api:2026.11.1");
      expect(names).toContain("registry.example.com/cm/cm-web:2026.11.1");
      expect(run.byType("docker:index/image:Image")).toEqual([]);
    });

    test("the Docker engine is reached over ssh:// with the host key pinned", () => {
      const provider = run.one("pulumi:providers:docker", `${tier}-docker`).inputs;
      expect(provider.host).toMatch(/^ssh:\/\/root@192\.0\.2\.\d+:22$/);
      const options = JSON.parse(String(provider.sshOpts)) as string[];
      expect(options).toContain("StrictHostKeyChecking=yes");
      expect(options.find((option) => option.startsWith("KnownHostsCommand="))).toMatch(/ssh-ed25519 AAAA/);
    });
  }

  test("debug is off in every container", () => {
    for (const service of SERVICES.filter((name) => name !== "mysql")) {
      expect(envList(container(run, tier, service)), service).toContain("CM_DEBUG=false");
    }
  });

  test.each(SERVICES)("%s carries the hardening settings", (service) => {
    const inputs = container(run, tier, service);
    expect(inputs.restart).toBe("unless-stopped");
    expect(inputs.readOnly).toBe(true);
    expect(inputs.securityOpts).toEqual(["no-new-privileges:true"]);
    expect(inputs.capabilities).toEqual({ drops: ["ALL"] });
    expect(inputs.logDriver).toBe("json-file");
    expect(inputs.logOpts).toEqual({ "max-size": "10m", "max-file": "3" });
    expect(inputs.memory).toBeGreaterThan(0);
    expect(inputs.user).toMatch(/^[1-9]\d*:[1-9]\d*$/);
    expect(Object.keys(inputs.tmpfs as object)).toContain("/tmp");
    if (service !== "telegram-bot" && service !== "credit-transfer") {
      expect((inputs.healthcheck as { tests: string[] }).tests[0]).toBe("CMD");
    }
  });

  test("MySQL sits only on the internal network, on a named volume", () => {
    const mysql = container(run, tier, "mysql");
    expect(mysql.networksAdvanced).toEqual([{ name: `${tier}-internal`, aliases: ["mysql"] }]);
    expect(mysql.volumes).toEqual([{ volumeName: `${tier}-mysql-data`, containerPath: "/var/lib/mysql" }]);
    const volume = run.one("docker:index/volume:Volume", `${tier}-database`);
    expect(volume.inputs.name).toBe(`${tier}-mysql-data`);
  });

  test("the internal network has no outside access; workers keep egress; web-view reaches api-server by name", () => {
    expect(run.one("docker:index/network:Network", `${tier}-internal`).inputs.internal).toBe(true);
    expect(run.one("docker:index/network:Network", `${tier}-egress`).inputs.internal).toBeUndefined();
    for (const worker of ["telegram-bot", "credit-transfer"]) {
      const networks = (container(run, tier, worker).networksAdvanced as { name: string }[]).map((network) => network.name);
      expect(networks).toEqual([`${tier}-internal`, `${tier}-egress`]);
    }
    const api = container(run, tier, "api-server").networksAdvanced as { name: string; aliases: string[] }[];
    expect(api[0]).toEqual({ name: `${tier}-internal`, aliases: ["api-server"] });
    expect(envList(container(run, tier, "web-view"))).toContain("CM_API_URL=http://api-server:3000");
  });

  test("every secret reaches the containers only inside secret inputs", () => {
    for (const resource of run.resources) {
      const visible = plaintextStrings(resource.inputs).join("\n");
      for (const key of SECRET_KEYS) expect(visible, `${resource.type} ${resource.name}`).not.toContain(fakeSecret(key));
    }
    const api = container(run, tier, "api-server");
    expect(isSecretInput(api.envs)).toBe(true);
    expect(envList(api)).toContain(`DB_PASSWORD=${fakeSecret("dbPassword")}`);
    expect(envList(container(run, tier, "telegram-bot"))).toContain(`TELEGRAM_BOT_TOKEN=${fakeSecret("telegramBotToken")}`);
    expect(envList(container(run, tier, "mysql"))).toContain(`MYSQL_ROOT_PASSWORD=${fakeSecret("dbRootPassword")}`);
  });

  test("exports the container names, network names and LAN web URL", () => {
    expect(run.outputs.lanWebUrl).toBe(`http://${LAN_ADDRESS[tier]}:${EXPECTED_WEB_PORT[tier]}/`);
    expect((container(run, tier, "web-view").ports as PortInput[]).map((port) => port.ip)).toContain(LAN_ADDRESS[tier]);
    expect(run.outputs.containerNames).toMatchObject({ "api-server": `${tier}-api-server`, "web-view": `${tier}-web-view` });
    expect(run.outputs.networkNames).toEqual({ internal: `${tier}-internal`, egress: `${tier}-egress` });
  });
});

describe("outputs come from the resources", () => {
  test("lanWebUrl is web-view's LAN binding as the engine reports it, not the config echoed", async () => {
    const readBack = [webBinding("127.0.0.1", 18000), webBinding("192.0.2.99", 18001)];
    const run = await runProgram("dev", {
      engineState: (type, name, state) => (type === CONTAINER && name === "dev-web-view" ? { ...state, ports: readBack } : state),
    });
    expect(run.outputs.lanWebUrl).toBe("http://192.0.2.99:18001/");
  });

  test("every Docker resource names the tier's provider itself (the component passes none down)", async () => {
    const run = await runProgram("rex");
    const docker = run.resources.filter((resource) => resource.type.startsWith("docker:"));
    expect(docker.length).toBeGreaterThan(10);
    for (const resource of docker) expect(resource.provider, `${resource.type} ${resource.name}`).toMatch(/::pulumi:providers:docker::rex-docker::rex-docker-id$/);
  });
});

describe.each(PRODUCTION_TIERS)("production tier %s", (tier) => {
  test("publishes web-view on the LAN address alone, never on loopback", async () => {
    const run = await runProgram(tier, tier === "sandbox" ? { omitSecrets: SECRET_KEYS, overrides: { sandboxState: SANDBOX_FIXTURE } } : {});
    expect(container(run, tier, "web-view").ports).toEqual([webBinding(LAN_ADDRESS[tier], EXPECTED_WEB_PORT[tier])]);
  });
});

describe("web-view's host bindings as rendered", () => {
  const base: ServiceCatalogueInput = {
    tier: "dev",
    production: false,
    webPort: 8000,
    apiPort: 3000,
    lanAddress: "192.0.2.30",
    debug: false,
    gunicorn: { workers: 2, timeoutSeconds: 30 },
    app: {
      dbName: "cm",
      dbUser: "cm",
      botBaseUrl: "https://bot.example.com",
      prefixPattern: "cm-",
      appUser: "10001:10001",
      databaseUser: "999:999",
      memoryLimitsMb: Object.fromEntries(SERVICE_NAMES.map((service) => [service, 256])) as ServiceCatalogueInput["app"]["memoryLimitsMb"],
    },
  };
  const webPorts = (input: ServiceCatalogueInput) => serviceCatalogue(input).find((spec) => spec.service === "web-view")?.ports.map((port) => port.ip);

  // Docker >= 27 orders one container port's bindings by host address (netip.Addr.Compare):
  // numerically, so 20.30.40.50 comes before 127.0.0.1 although it sorts after it as text.
  test.each([
    ["10.0.0.5", ["10.0.0.5", "127.0.0.1"]],
    ["20.30.40.50", ["20.30.40.50", "127.0.0.1"]],
    ["127.0.0.2", ["127.0.0.1", "127.0.0.2"]],
    ["192.168.1.5", ["127.0.0.1", "192.168.1.5"]],
  ])("dev on LAN address %s binds both, in the order Docker reports", (lanAddress, expected) => {
    expect(webPorts({ ...base, lanAddress })).toEqual(expected);
  });

  test("dev whose LAN address is 127.0.0.1 binds it once (Docker refuses a second identical binding)", () => {
    expect(webPorts({ ...base, lanAddress: "127.0.0.1" })).toEqual(["127.0.0.1"]);
  });

  test.each(PRODUCTION_TIERS)("production tier %s binds the LAN address alone", (tier) => {
    expect(webPorts({ ...base, tier, production: true })).toEqual(["192.0.2.30"]);
  });
});
