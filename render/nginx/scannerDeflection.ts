/**
 * Paths only vulnerability scanners ask for. They are matched per path segment (a leading
 * `/`) or by extension, so app routes that merely contain the letters ("/api/environment",
 * "/envelope", "/docs/php-notes") still reach the app. Case-insensitive because scanners
 * also try "/.ENV" and "/Index.PHP".
 */
export const SCANNER_PATTERNS: readonly { readonly regex: string; readonly why: string }[] = [
  { regex: String.raw`/\.env`, why: "dotenv files: .env, .env.local, .env.production" },
  { regex: String.raw`/\.git(/|$)`, why: "git metadata" },
  { regex: String.raw`/\.aws(/|$)`, why: "AWS credentials" },
  { regex: String.raw`/\.dockerenv$`, why: "container fingerprinting" },
  { regex: String.raw`/\.ht(passwd|access)$`, why: "Apache/nginx password and access files" },
  { regex: String.raw`/\.npmrc$`, why: "npm registry tokens" },
  { regex: String.raw`\.php(/|$)`, why: "the app has no PHP; covers /x.php/path-info too" },
  { regex: String.raw`/wp-(login|admin|content|includes)`, why: "WordPress probes" },
];

/**
 * `return` runs in nginx's rewrite phase, before limit_req and auth_basic, so these answer
 * without a password prompt or bcrypt work. 444 closes the connection without a response;
 * access_log off keeps scanner noise out of the logs.
 */
export function renderScannerDeflection(): string[] {
  return [
    "# Scanner probes: close the connection (444) without logging or asking for a password.",
    ...SCANNER_PATTERNS.map(({ regex, why }) => `location ~* ${regex} { access_log off; return 444; } # ${why}`),
  ];
}
