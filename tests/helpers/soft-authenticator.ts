import { createHash, generateKeyPairSync, randomBytes, sign, type KeyObject } from 'node:crypto';
import { encode } from 'cborg';

/**
 * A software WebAuthn authenticator and browser in one: what @simplewebauthn/browser's
 * startRegistration / startAuthentication would answer, built from first principles so the
 * server's verification (through @simplewebauthn/server) is tested against independent bytes.
 * ES256 keys (P-256) from node:crypto; the COSE key and the "none" attestation object in CBOR
 * (cborg); authenticator data with the rpIdHash, flags and counter; the assertion signature over
 * authData || SHA-256(clientDataJSON), DER-encoded as WebAuthn's ES256 requires.
 */

export interface SoftCredential {
  id: Buffer;
  privateKey: KeyObject;
  /** The signature counter this authenticator reports next time (after adding 1). */
  counter: number;
  userHandle: string | undefined;
  rpId: string;
}

/** What a ceremony may bend, to test the server's refusals. */
export interface Overrides {
  origin?: string;
  rpId?: string;
  challenge?: string;
  /** User verification (UV flag); on by default. */
  uv?: boolean;
  /** User presence (UP flag); on by default. */
  up?: boolean;
  /** Backup eligibility and state (BE, BS flags). */
  backedUp?: boolean;
  /** The counter to report (default: the last one + 1, or 0 for an authenticator that keeps none). */
  counter?: number;
  type?: string;
}

const FLAG = { UP: 0x01, UV: 0x04, BE: 0x08, BS: 0x10, AT: 0x40 } as const;
const b64url = (bytes: Uint8Array | Buffer) => Buffer.from(bytes).toString('base64url');
const sha256 = (data: Uint8Array | Buffer | string) => createHash('sha256').update(data).digest();

const flagsOf = (o: Overrides, attested: boolean) =>
  (o.up === false ? 0 : FLAG.UP) |
  (o.uv === false ? 0 : FLAG.UV) |
  (o.backedUp ? FLAG.BE | FLAG.BS : 0) |
  (attested ? FLAG.AT : 0);

const counterBytes = (counter: number) => {
  const bytes = Buffer.alloc(4);
  bytes.writeUInt32BE(counter >>> 0);
  return bytes;
};

/** The COSE_Key of a P-256 public key (kty EC2, alg ES256, crv P-256, x, y), as a CBOR map with integer keys. */
const coseKey = (publicKey: KeyObject) => {
  const jwk = publicKey.export({ format: 'jwk' }) as { x: string; y: string };
  return encode(
    new Map<number, number | Uint8Array>([
      [1, 2],
      [3, -7],
      [-1, 1],
      [-2, new Uint8Array(Buffer.from(jwk.x, 'base64url'))],
      [-3, new Uint8Array(Buffer.from(jwk.y, 'base64url'))],
    ])
  );
};

export class SoftAuthenticator {
  readonly credentials: SoftCredential[] = [];
  /** Counters start here and go up by one per assertion; 0 with `counterless` (as many platform authenticators). */
  constructor(
    readonly origin: string,
    readonly rpId: string,
    readonly options: { counterless?: boolean } = {}
  ) {}

  private clientData(type: string, challenge: string, origin: string) {
    return Buffer.from(JSON.stringify({ type, challenge, origin, crossOrigin: false }));
  }

  /** What startRegistration({ optionsJSON }) answers: a RegistrationResponseJSON. */
  register(optionsJSON: any, o: Overrides = {}): { response: any; credential: SoftCredential } {
    const rpId = o.rpId ?? optionsJSON?.rp?.id ?? this.rpId;
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const id = randomBytes(16);
    const credential: SoftCredential = { id, privateKey, counter: 0, userHandle: optionsJSON?.user?.id, rpId };
    const idLength = Buffer.alloc(2);
    idLength.writeUInt16BE(id.length);
    const authData = Buffer.concat([
      sha256(rpId),
      Buffer.from([flagsOf(o, true)]),
      counterBytes(o.counter ?? 0),
      Buffer.alloc(16), // AAGUID: zeros, as "none" attestation allows
      idLength,
      id,
      Buffer.from(coseKey(publicKey)),
    ]);
    const attestationObject = encode({ fmt: 'none', attStmt: {}, authData: new Uint8Array(authData) });
    const clientDataJSON = this.clientData(o.type ?? 'webauthn.create', o.challenge ?? optionsJSON.challenge, o.origin ?? this.origin);
    this.credentials.push(credential);
    return {
      credential,
      response: {
        id: b64url(id),
        rawId: b64url(id),
        type: 'public-key',
        response: {
          clientDataJSON: b64url(clientDataJSON),
          attestationObject: b64url(attestationObject),
          transports: ['internal', 'hybrid'],
          publicKeyAlgorithm: -7,
          publicKey: b64url(publicKey.export({ format: 'der', type: 'spki' })),
          authenticatorData: b64url(authData),
        },
        clientExtensionResults: {},
        authenticatorAttachment: 'platform',
      },
    };
  }

  /**
   * What startAuthentication({ optionsJSON }) answers: an AuthenticationResponseJSON, signed by
   * `credential` (default: the first of ours the options allow, or our first for a discoverable
   * credential).
   */
  assert(optionsJSON: any, credential?: SoftCredential, o: Overrides = {}): any {
    const allowed: string[] = (optionsJSON?.allowCredentials ?? []).map((c: any) => c.id);
    const key =
      credential ?? (allowed.length ? this.credentials.find((c) => allowed.includes(b64url(c.id))) : this.credentials[0]);
    if (!key) throw new Error('soft authenticator: no credential for these options');
    const counter = o.counter ?? (this.options.counterless ? 0 : key.counter + 1);
    if (o.counter === undefined && !this.options.counterless) key.counter = counter;
    const authData = Buffer.concat([sha256(o.rpId ?? key.rpId), Buffer.from([flagsOf(o, false)]), counterBytes(counter)]);
    const clientDataJSON = this.clientData(o.type ?? 'webauthn.get', o.challenge ?? optionsJSON.challenge, o.origin ?? this.origin);
    // node signs ECDSA in DER (ASN.1 SEQUENCE of r and s) unless told otherwise: what ES256 in WebAuthn uses.
    const signature = sign('sha256', Buffer.concat([authData, sha256(clientDataJSON)]), key.privateKey);
    return {
      id: b64url(key.id),
      rawId: b64url(key.id),
      type: 'public-key',
      response: {
        clientDataJSON: b64url(clientDataJSON),
        authenticatorData: b64url(authData),
        signature: b64url(signature),
        ...(key.userHandle ? { userHandle: key.userHandle } : {}),
      },
      clientExtensionResults: {},
      authenticatorAttachment: 'platform',
    };
  }
}
