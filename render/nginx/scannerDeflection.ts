/**
 * Paths only vulnerability scanners ask for. Each rule names whole path segments: it starts
 * at a `/` and ends at the next `/` or the end of the path, so an app route that merely
 * starts with the same letters ("/user/.envoy", "/api/acc/wp-content-viewer",
 * "/wp-admin-guide") still reaches the app, while the name nested anywhere ("/backend/.env")
 * is closed. The PHP rule matches an extension instead, because the app has no PHP at all.
 * Case-insensitive because scanners also try "/.ENV" and "/Index.PHP".
 */
export const SCANNER_PATTERNS: readonly { readonly regex: string; readonly why: string }[] = [
  // A dotenv variant is `.env` plus a separator and any suffix; `.envoy` and `.environment.js` are not.
  { regex: String.raw`/\.env([._~-][^/]*)?(/|$)`, why: "dotenv files: .env, .env.local, .env.production, .env_sample, .env~" },
  { regex: String.raw`/\.git(/|$)`, why: "git metadata" },
  { regex: String.raw`/\.aws(/|$)`, why: "AWS credentials" },
  { regex: String.raw`/\.dockerenv(/|$)`, why: "container fingerprinting" },
  { regex: String.raw`/\.ht(passwd|access)(/|$)`, why: "Apache/nginx password and access files" },
  { regex: String.raw`/\.npmrc(/|$)`, why: "npm registry tokens" },
  { regex: String.raw`\.php(/|$)`, why: "the app has no PHP: /x.php/path-info, wp-login.php, xmlrpc.php" },
  { regex: String.raw`/wp-(admin|content|includes)(/|$)`, why: "WordPress folders" },
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
