import { headerValueProblems } from "./values/headers";
import { tokenProblems } from "./values/names";
import { PORT_RANGE } from "./values/numbers";
import { absolutePathProblems, isSameOrInside } from "./values/paths";
import { commandLineProblems } from "./values/shell";
import { AAPANEL_LAYOUT, DEFAULT_CONTENT_SECURITY_POLICY } from "./defaults";
import { type Reader, show } from "./reader";
import type { EdgeConfig, NginxLayout, TierName } from "./types";

const EDGE_FIELDS = ["operatorUser", "passwordRotation", "rateLimit", "contentSecurityPolicy", "hstsMaxAgeSeconds", "listenPort", "tls", "http2", "layout"] as const;
const LAYOUT_FIELDS = Object.keys(AAPANEL_LAYOUT) as (keyof NginxLayout)[];

function readLayout(read: Reader, value: unknown): NginxLayout {
  const raw = read.section("edge.layout", value, LAYOUT_FIELDS, { optional: true });
  const layout = Object.fromEntries(
    LAYOUT_FIELDS.map((field) => {
      const rule = field === "reloadCommand" ? commandLineProblems : absolutePathProblems;
      return [field, read.checked(`edge.layout.${field}`, raw[field], rule, AAPANEL_LAYOUT[field])];
    }),
  ) as unknown as NginxLayout;
  if (isSameOrInside(layout.stateDir, layout.vhostDir)) {
    read.add("edge.layout.stateDir", `${show(layout.stateDir)} is inside vhostDir: nginx would load our backups as config; keep it outside (default ${AAPANEL_LAYOUT.stateDir})`);
  }
  return layout;
}

function readCsp(read: Reader, value: unknown): string | false {
  if (value === false || value === "false" || value === "off") return false;
  return read.checked("edge.contentSecurityPolicy", value, headerValueProblems, DEFAULT_CONTENT_SECURITY_POLICY);
}

export function readEdge(read: Reader, tier: TierName, value: unknown): EdgeConfig {
  const raw = read.section("edge", value, EDGE_FIELDS, { optional: true });
  const rate = read.section("edge.rateLimit", raw.rateLimit, ["ratePerSecond", "zoneSizeMb", "burst"], { optional: true });
  const tlsRaw = raw.tls === undefined || raw.tls === null || raw.tls === false ? undefined : read.section("edge.tls", raw.tls, ["certificate", "certificateKey"]);
  return {
    operatorUser: read.checked("edge.operatorUser", raw.operatorUser, tokenProblems, `${tier}-operator`),
    passwordRotation: read.string("edge.passwordRotation", raw.passwordRotation, "1"),
    rateLimit: {
      ratePerSecond: read.integer("edge.rateLimit.ratePerSecond", rate.ratePerSecond, { min: 1, max: 100000 }, 30),
      zoneSizeMb: read.integer("edge.rateLimit.zoneSizeMb", rate.zoneSizeMb, { min: 1, max: 1024 }, 10),
      // nginx refuses burst=0 ("invalid burst value").
      burst: read.integer("edge.rateLimit.burst", rate.burst, { min: 1, max: 100000 }, 60),
    },
    contentSecurityPolicy: readCsp(read, raw.contentSecurityPolicy),
    hstsMaxAgeSeconds: read.integer("edge.hstsMaxAgeSeconds", raw.hstsMaxAgeSeconds, { min: 0, max: 63072000 }, 31536000),
    listenPort: read.integer("edge.listenPort", raw.listenPort, PORT_RANGE, tlsRaw ? 443 : 80),
    tls: tlsRaw
      ? {
          certificate: read.checked("edge.tls.certificate", tlsRaw.certificate, absolutePathProblems),
          certificateKey: read.checked("edge.tls.certificateKey", tlsRaw.certificateKey, absolutePathProblems),
        }
      : null,
    http2: read.boolean("edge.http2", raw.http2, false),
    layout: readLayout(read, raw.layout),
  };
}
