/** Public API of the aaPanel edge renderers; everything here is pure text rendering. */
export type { EdgePaths, EdgeSiteSpec, ManagedFile } from "./types";
export { edgePaths, rateLimitZoneName } from "./paths";
export { renderHttpLevel } from "./httpLevel";
export { renderServerBlock } from "./serverBlock";
export { SCANNER_PATTERNS } from "./scannerDeflection";
export { isBcryptHash, renderHtpasswd } from "./htpasswd";
export { encodeFileFrames, FRAME_HEADER } from "./fileFrames";
export { edgeSiteFiles, edgeSiteScripts } from "./edgeSiteScripts";
export { htpasswdScripts } from "./htpasswdScripts";
