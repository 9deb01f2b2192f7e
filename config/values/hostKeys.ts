import { show } from "./text";

/**
 * Host key types a pin can work with. @pulumi/command v1.2.1 (provider/pkg/provider/remote/
 * connection.go, SSHConfig) parses the pin with ssh.ParseAuthorizedKey and sets
 * HostKeyAlgorithms to []string{publicKey.Type()}: an "ssh-rsa" pin offers only the SHA-1
 * "ssh-rsa" signature algorithm, which OpenSSH >= 8.8 servers refuse.
 */
const EC_POINT_BYTES: Readonly<Record<string, number>> = { nistp256: 65, nistp384: 97, nistp521: 133 };
export const HOST_KEY_TYPES = ["ssh-ed25519", "ecdsa-sha2-nistp256", "ecdsa-sha2-nistp384", "ecdsa-sha2-nistp521"] as const;

const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

/** The SSH wire format's length-prefixed strings (RFC 4251 "string"). */
function wireStrings(blob: Buffer): Buffer[] | undefined {
  const fields: Buffer[] = [];
  let offset = 0;
  while (offset < blob.length) {
    if (offset + 4 > blob.length) return undefined;
    const length = blob.readUInt32BE(offset);
    if (offset + 4 + length > blob.length) return undefined;
    fields.push(blob.subarray(offset + 4, offset + 4 + length));
    offset += 4 + length;
  }
  return fields;
}

/** What the key data must hold after its type: ed25519 a 32-byte key; ECDSA its curve and an uncompressed point. */
function shapeProblem(type: string, fields: readonly Buffer[]): string | undefined {
  if (type === "ssh-ed25519") {
    return fields.length === 2 && fields[1]?.length === 32 ? undefined : "its key data is not one 32-byte ed25519 key (truncated or damaged)";
  }
  const curve = type.slice("ecdsa-sha2-".length);
  const point = fields[2];
  if (fields.length !== 3 || fields[1]?.toString("latin1") !== curve || point === undefined || point.length !== EC_POINT_BYTES[curve] || point[0] !== 4) {
    return `its key data is not a ${curve} ECDSA key (truncated or damaged)`;
  }
  return undefined;
}

/**
 * A pinned host public key, "<type> <base64>" as ssh-keyscan prints it after the host
 * name. The base64 must decode, the type inside the key data must equal the label, and the
 * key data must have its type's shape, so a truncated or mislabelled key is refused.
 */
export function hostKeyProblems(text: string, host = "<host>"): string[] {
  const how = `read it with: ssh-keyscan -t ed25519 ${host}`;
  const fields = text.split(" ");
  if (fields.length === 3 && (HOST_KEY_TYPES as readonly string[]).includes(fields[1] ?? "")) {
    return [`${show(text)} starts with a host name: pin only "<type> <base64>", without ${show(fields[0])}`];
  }
  if (fields.length !== 2) return [`${show(text)} is not "<type> <base64>" (one space, no comment); ${how}`];
  const [label = "", data = ""] = fields;
  if (label === "ssh-rsa") {
    return [
      `ssh-rsa pins are refused: the command provider then offers only the SHA-1 "ssh-rsa" signature, which OpenSSH >= 8.8 refuses; pin the host's ed25519 key instead (${how})`,
    ];
  }
  if (!(HOST_KEY_TYPES as readonly string[]).includes(label)) {
    return [`${show(label)} is not a host key type a pin works with (${HOST_KEY_TYPES.join(", ")}); ${how}`];
  }
  if (!BASE64.test(data) || data.length % 4 !== 0 || Buffer.from(data, "base64").toString("base64") !== data) {
    return [`the ${label} key data is not valid base64 (truncated or damaged?); ${how}`];
  }
  const wire = wireStrings(Buffer.from(data, "base64"));
  const embedded = wire?.[0]?.toString("latin1");
  if (wire === undefined || embedded === undefined) return [`the ${label} key data is truncated or damaged (its length fields overrun it); ${how}`];
  if (embedded !== label) return [`the key data is a ${show(embedded)} key but is labelled ${show(label)}: copy both from the same line; ${how}`];
  const shape = shapeProblem(label, wire);
  return shape === undefined ? [] : [`the ${label} key: ${shape}; ${how}`];
}
