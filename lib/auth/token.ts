import { createRemoteJWKSet, errors, jwtVerify, SignJWT, type JWTPayload, type JWTVerifyOptions } from 'jose';
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
  const token = /^(?:JWT|Bearer)\s+(\S+)\s*$/i.exec(header.trim())?.[1];
  return token ?? null;
}

/**
 * Verifies a token: HS256 with JWT_SECRET, or RS256 against JWT_JWKS_URL when that is set. Every
 * token must carry `exp` (a token that never expires cannot be revoked by waiting); `iss` and
 * `aud` are checked when JWT_ISSUER / JWT_AUDIENCE are set. Every failure is UNAUTHENTICATED with
 * a message that names the cause but no secret.
 */
export async function verifyToken(token: string): Promise<Viewer> {
  const issuer = settings.jwtIssuer();
  const audience = settings.jwtAudience();
  const claims: JWTVerifyOptions = {
    requiredClaims: ['exp'],
    ...(issuer ? { issuer } : {}),
    ...(audience ? { audience } : {}),
  };
  try {
    let payload: JWTPayload;
    const jwksUrl = settings.jwtJwksUrl();
    if (jwksUrl) {
      if (jwks?.url !== jwksUrl) jwks = { url: jwksUrl, set: createRemoteJWKSet(new URL(jwksUrl)) };
      ({ payload } = await jwtVerify(token, jwks.set, { ...claims, algorithms: ['RS256'] }));
    } else {
      ({ payload } = await jwtVerify(token, secretKey(), { ...claims, algorithms: ['HS256'] }));
    }
    return new Viewer(payload as TokenClaims);
  } catch (error) {
    if (error instanceof errors.JWTExpired) throw unauthenticated('Token expired');
    if (error instanceof errors.JWTClaimValidationFailed) {
      if (error.claim === 'exp') throw unauthenticated('Token has no expiry (exp)');
      if (error.claim === 'iss') throw unauthenticated('Token issuer (iss) is not accepted');
      if (error.claim === 'aud') throw unauthenticated('Token audience (aud) is not accepted');
    }
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

/**
 * Signs an HS256 token with JWT_SECRET (dev tokens, tests and service identities). It always
 * expires, and carries JWT_ISSUER / the first JWT_AUDIENCE when they are set, so it passes
 * verifyToken's checks.
 */
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
  const issuer = settings.jwtIssuer();
  if (issuer) jwt.setIssuer(issuer);
  const audience = settings.jwtAudience()?.[0];
  if (audience) jwt.setAudience(audience);
  return jwt.sign(secretKey());
}

/** A short-lived operator token for background work; callers log that they act as a service. */
export function mintServiceToken(service: string): Promise<string> {
  return mintToken({ roles: ['enterprise_openedx_operator:*'], service, expiresIn: '5m' });
}
