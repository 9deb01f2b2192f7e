/**
 * The two sides of scanner deflection, shared by the regex unit test and the real-nginx
 * behaviour test so both judge the same paths. Rules match whole path segments: a name that
 * merely starts like a scanner target is an app path.
 */

/** Probes seen in the wild, per family, with case and nesting variants. All must get 444. */
export const SCANNER_PATHS: readonly string[] = [
  // dotenv files, at the root and nested, in the spellings scanners try
  "/.env",
  "/.ENV",
  "/.env.local",
  "/.env.production",
  "/.env.production.local",
  "/.env.example",
  "/.env.bak",
  "/.env_sample",
  "/.env-dev",
  "/.env~",
  "/.env/",
  "/backend/.env",
  "/api/v1/.Env.Local",
  // git metadata
  "/.git",
  "/.git/config",
  "/.git/HEAD",
  "/app/.git/index",
  // AWS credentials
  "/.aws",
  "/.aws/credentials",
  "/home/.AWS/config",
  // container fingerprinting, web-server password and access files, npm tokens
  "/.dockerenv",
  "/.htpasswd",
  "/.htaccess",
  "/site/.HTACCESS",
  "/.npmrc",
  "/project/.npmrc",
  // PHP (the app has none), including path-info
  "/index.php",
  "/INDEX.PHP",
  "/x/y.php",
  "/x.php/path-info",
  // WordPress: its folders and its PHP entry points
  "/wp-login.php",
  "/xmlrpc.php",
  "/wp-config.php",
  "/wp-admin",
  "/wp-admin/",
  "/wp-admin/setup-config.php",
  "/WP-ADMIN/",
  "/wp-content/x",
  "/wp-content/plugins/revslider/readme.txt",
  "/wp-includes/wlwmanifest.xml",
  "/blog/wp-includes/wlwmanifest.xml",
  "/wordpress/wp-admin/install.php",
];

/**
 * Percent-encoded probes: nginx matches locations against the decoded URI, so these close
 * too. Only a real nginx decodes, so only the behaviour test uses them.
 */
export const ENCODED_SCANNER_PATHS: readonly string[] = ["/%2eenv", "/%2Eenv.local", "/%2Egit/config", "/x/%77p-admin/", "/%2Ehtpasswd"];

/**
 * Legitimate app routes that contain a scanner word without being a scanner target. All
 * must reach the app. Query strings are not part of the path nginx matches.
 */
export const APP_PATHS: readonly string[] = [
  // contain "env" or start with ".env" letters, but are not dotenv files
  "/api/environment",
  "/envelope",
  "/env",
  "/docs/env",
  "/api/dotenv",
  "/user/.envoy",
  "/static/.environment.js",
  "/docs/.envelope",
  // contain "git" or "aws" without being those folders
  "/gitlab",
  "/.github/workflows",
  "/static/.gitignore",
  "/aws/status",
  "/docs/.awsome",
  // contain "php" without being PHP files
  "/docs/php-notes",
  "/phpinfo-docs/x",
  "/docs/php",
  // start like a WordPress folder or entry point without being one
  "/api/acc/wp-content-viewer",
  "/wp-admin-guide",
  "/help/wp-login-issues",
  "/wp-includes-list",
  "/docs/wp-contents/x",
  // scanner words only in the query string
  "/search?q=.env",
  "/search?q=/wp-admin/",
];
