// A software passkey for the bench (the tests' tests/helpers/soft-authenticator.ts, in the few
// lines the bench needs): registration with "none" attestation, then ES256 assertions.
import { createHash, generateKeyPairSync, randomBytes, sign } from 'node:crypto';
import { encode } from 'cborg';

export const RP_ID = 'localhost';
export const ORIGIN = 'https://bench.localhost';

const b64url = (bytes) => Buffer.from(bytes).toString('base64url');
const sha256 = (data) => createHash('sha256').update(data).digest();
const clientData = (type, challenge) => Buffer.from(JSON.stringify({ type, challenge, origin: ORIGIN, crossOrigin: false }));

export class BenchPasskey {
  constructor() {
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    this.privateKey = privateKey;
    this.publicKey = publicKey;
    this.id = randomBytes(16);
    this.counter = 0;
  }

  /** RegistrationResponseJSON for creation options. */
  register(options) {
    const { x, y } = this.publicKey.export({ format: 'jwk' });
    const cose = encode(new Map([[1, 2], [3, -7], [-1, 1], [-2, new Uint8Array(Buffer.from(x, 'base64url'))], [-3, new Uint8Array(Buffer.from(y, 'base64url'))]]));
    const length = Buffer.alloc(2);
    length.writeUInt16BE(this.id.length);
    // Flags UP | UV | AT; counter 0; AAGUID zeros.
    const authData = Buffer.concat([sha256(RP_ID), Buffer.from([0x45]), Buffer.alloc(4), Buffer.alloc(16), length, this.id, Buffer.from(cose)]);
    return {
      id: b64url(this.id),
      rawId: b64url(this.id),
      type: 'public-key',
      response: {
        clientDataJSON: b64url(clientData('webauthn.create', options.challenge)),
        attestationObject: b64url(encode({ fmt: 'none', attStmt: {}, authData: new Uint8Array(authData) })),
        transports: ['internal'],
      },
      clientExtensionResults: {},
    };
  }

  /** AuthenticationResponseJSON for request options (the counter goes up by one). */
  assert(options) {
    this.counter += 1;
    const counter = Buffer.alloc(4);
    counter.writeUInt32BE(this.counter);
    const authData = Buffer.concat([sha256(RP_ID), Buffer.from([0x05]), counter]);
    const data = clientData('webauthn.get', options.challenge);
    return {
      id: b64url(this.id),
      rawId: b64url(this.id),
      type: 'public-key',
      response: {
        clientDataJSON: b64url(data),
        authenticatorData: b64url(authData),
        signature: b64url(sign('sha256', Buffer.concat([authData, sha256(data)]), this.privateKey)),
      },
      clientExtensionResults: {},
    };
  }
}
