import { nonRootUidGidProblems, tokenProblems } from "./values/names";
import { DEFAULT_MEMORY_MB } from "./defaults";
import { readDatabaseImage } from "./images";
import type { Reader } from "./reader";
import { SERVICES, type AppSettings, type ServiceName, type TierName } from "./types";

const APP_FIELDS = ["dbName", "dbUser", "botBaseUrl", "prefixPattern", "memoryLimitsMb", "databaseImage", "appUser", "databaseUser"] as const;

export function readApp(read: Reader, tier: TierName, value: unknown): AppSettings {
  const raw = read.section("app", value, APP_FIELDS, { optional: true });
  const memoryRaw = read.section("app.memoryLimitsMb", raw.memoryLimitsMb, SERVICES, { optional: true });
  const memoryLimitsMb = Object.fromEntries(
    SERVICES.map((service) => [service, read.integer(`app.memoryLimitsMb.${service}`, memoryRaw[service], { min: 32, max: 65536 }, DEFAULT_MEMORY_MB[service])]),
  ) as Record<ServiceName, number>;
  return {
    dbName: read.checked("app.dbName", raw.dbName, tokenProblems, "cm"),
    dbUser: read.checked("app.dbUser", raw.dbUser, tokenProblems, "cm"),
    botBaseUrl: read.string("app.botBaseUrl", raw.botBaseUrl, "https://example.invalid"),
    prefixPattern: read.string("app.prefixPattern", raw.prefixPattern, ""),
    databaseImage: readDatabaseImage(read, tier, raw.databaseImage),
    appUser: read.checked("app.appUser", raw.appUser, nonRootUidGidProblems, "10001:10001"),
    databaseUser: read.checked("app.databaseUser", raw.databaseUser, nonRootUidGidProblems, "999:999"),
    memoryLimitsMb,
  };
}
