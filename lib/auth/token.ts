import { createRemoteJWKSet, jwtVerify, SignJWT, type JWTPayload } from 'jose';
import { settings } from '../config.js';
import { unauthenticated } from '../errors.js';
import { Viewer, type TokenClaims } from './viewer.js';

let jwks: { url: string; set: ReturnType<typeof createRemoteJWKSet> } | undefined;

function secretKey(): Uint8Array {
  return new TextEncoder().encode(settings.jwtSecret());
}

/** Extracts the token from `Authorization: JWT <token>` (edX style) or `Bearer <token>`. */
export function tokenFromHeader(header: string | undefined | null): string | null {
  if (!header) return null;
  const match = /^(?:JWT|Bearer)\s+(\S+)\s*$/i.exec(header.trim());
  return match ? match[1]! : null;
}

/**
 * Verifies a token: HS256 with JWT_SECRET, or RS256 against JWT_JWKS_URL when that is set.
 * Every failure is UNAUTHENTICATED with a message that names the cause but no secret.
 */
export async function verifyToken(token: string): Promise<Viewer> {
  try {
    let payload: JWTPayload;
    const jwksUrl = settings.jwtJwksUrl();
    if (jwksUrl) {
      if (!jwks || jwks.url !== jwksUrl) jwks = { url: jwksUrl, set: createRemoteJWKSet(new URL(jwksUrl)) };
      ({ payload } = await jwtVerify(token, jwks.set, { algorithms: ['RS256'] }));
    } else {
      ({ payload } = await jwtVerify(token, secretKey(), { algorithms: ['HS256'] }));
    }
    return new Viewer(payload as TokenClaims);
  } catch (error) {
    const code = (error as { code?: string }).code;
    if (code === 'ERR_JWT_EXPIRED') throw unauthenticated('Token expired');
    throw unauthenticated('Invalid token');
  }
}

/** Resolves the viewer of a request, or throws UNAUTHENTICATED. */
export async function authenticate(authorization: string | undefined | null): Promise<Viewer> {
  const token = tokenFromHeader(authorization);
  if (!token) throw unauthenticated();
  return verifyToken(token);
}

export interface MintOptions {
  roles: string[];
  userId?: number;
  email?: string;
  administrator?: boolean;
  service?: string;
  /** Lifetime, e.g. '1h', '30d'; or a negative number of seconds for an already-expired token (tests). */
  expiresIn?: string | number;
}

/** Signs an HS256 token with JWT_SECRET (dev tokens, tests and service identities). */
export async function mintToken(options: MintOptions): Promise<string> {
  const claims: TokenClaims = { roles: options.roles };
  if (options.userId !== undefined) claims.user_id = options.userId;
  if (options.email !== undefined) claims.email = options.email;
  if (options.administrator !== undefined) claims.administrator = options.administrator;
  if (options.service !== undefined) claims.service = options.service;
  const now = Math.floor(Date.now() / 1000);
  const jwt = new SignJWT({ ...claims }).setProtectedHeader({ alg: 'HS256', typ: 'JWT' }).setIssuedAt(now);
  if (typeof options.expiresIn === 'number') jwt.setExpirationTime(now + options.expiresIn);
  else jwt.setExpirationTime(options.expiresIn ?? '12h');
  if (options.userId !== undefined) jwt.setSubject(String(options.userId));
  return jwt.sign(secretKey());
}

/** A short-lived operator token for background work; callers log that they act as a service. */
export function mintServiceToken(service: string): Promise<string> {
  return mintToken({ roles: ['enterprise_openedx_operator:*'], service, expiresIn: '5m' });
}
