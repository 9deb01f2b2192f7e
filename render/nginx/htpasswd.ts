/** bcrypt as produced by random.RandomPassword.bcryptHash ($2a$) or `htpasswd -B` ($2y$). */
const BCRYPT_HASH = /^\$2[aby]\$(0[4-9]|[12][0-9]|3[01])\$[./A-Za-z0-9]{53}$/;

export function isBcryptHash(value: string): boolean {
  return BCRYPT_HASH.test(value);
}

/** One htpasswd line. The hash is secret-adjacent: error messages never include it. */
export function renderHtpasswd(user: string, bcryptHash: string): string {
  if (user.length === 0 || /[:\s\x00-\x1f\x7f]/.test(user)) {
    throw new Error(`htpasswd user must be non-empty without ':', whitespace or control characters, got ${JSON.stringify(user)}`);
  }
  if (!isBcryptHash(bcryptHash)) {
    throw new Error("htpasswd hash must be a bcrypt hash ($2a$/$2b$/$2y$, cost 04-31, 53 characters of salt and digest)");
  }
  return `${user}:${bcryptHash}\n`;
}
