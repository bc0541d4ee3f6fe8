/**
 * `/auth/v1`: the GoTrue endpoints supabase-js uses — signup, password and
 * refresh-token grants, the current user, logout, the admin users API — plus
 * /settings, /health and the public /.well-known/jwks.json. Like on Supabase,
 * the gateway first requires a valid `apikey` (except for the JWKS).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { z } from 'zod';
import type { StackContext } from '../context.ts';
import { answerPreflight } from '../http/cors.ts';
import { readJsonBody } from '../http/json-body.ts';
import { sendEmpty, sendJson } from '../http/responses.ts';
import { headerValue, requestTarget } from '../http/request-url.ts';
import { AuthHttpError, AuthOAuthError, badRequest, sendAuthError } from './auth-errors.ts';
import { authenticate, requireAdmin } from './authenticate.ts';
import { checkApiKey } from './request-role.ts';
import { logout, refresh, signIn, type LogoutScope } from './sessions.ts';
import { userJson } from './users.ts';
import { jwks } from './signing-keys.ts';
import { signUp, signupSchema } from './signup.ts';
import {
  adminDeleteSchema,
  adminUserId,
  adminUserSchema,
  createUserRoute,
  deleteUserRoute,
  getUserRoute,
  listUsersRoute,
  updateUserRoute,
} from './admin-users.ts';

export type AuthHandler = (req: IncomingMessage, res: ServerResponse, path: string) => Promise<void>;

const AUTH_BODY_LIMIT_BYTES = 64 * 1024;

const passwordGrantSchema = z.looseObject({
  email: z.string().optional(),
  phone: z.string().optional(),
  password: z.string().optional(),
});
const refreshGrantSchema = z.looseObject({ refresh_token: z.string().optional() });

const INVALID_LOGIN = 'Invalid login credentials';

/**
 * A JSON body checked against `schema`. Unparseable JSON is bad_json; a body of the wrong shape is
 * bad_json too, except for admin params, which GoTrue reports as validation_failed.
 */
async function readBody<T>(req: IncomingMessage, schema: z.ZodType<T>, shapeError: 'bad_json' | 'admin_params' = 'bad_json'): Promise<T> {
  const body = await readJsonBody(req, AUTH_BODY_LIMIT_BYTES);
  if (!body.ok) {
    if (body.reason === 'too_large') throw new AuthHttpError(413, 'request_too_large', body.message);
    throw badRequest('bad_json', `Could not parse request body as JSON: ${body.message}`);
  }
  const parsed = schema.safeParse(body.value ?? {});
  if (parsed.success) return parsed.data;
  const problem = z.prettifyError(parsed.error);
  throw shapeError === 'bad_json'
    ? badRequest('bad_json', `Could not parse request body as JSON: ${problem}`)
    : badRequest('validation_failed', `Could not decode admin user params: ${problem}`);
}

const readAdminBody = <T>(req: IncomingMessage, schema: z.ZodType<T>): Promise<T> => readBody(req, schema, 'admin_params');

function issuerFor(req: IncomingMessage): string {
  return `http://${headerValue(req.headers.host) ?? '127.0.0.1'}/auth/v1`;
}

interface PasswordCheck {
  id: string;
  has_password: boolean;
  password_ok: boolean;
  confirmed: boolean;
}

export function createAuthHandler(ctx: StackContext): AuthHandler {
  async function passwordGrant(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const body = await readBody(req, passwordGrantSchema);
    const email = body.email ?? '';
    const phone = body.phone ?? '';
    if (email !== '' && phone !== '') throw badRequest('validation_failed', 'Only an email address or phone number should be provided on login.');
    if (phone !== '') throw new AuthHttpError(422, 'phone_provider_disabled', 'Phone logins are disabled');
    if (email === '') throw badRequest('validation_failed', 'missing email or phone');
    const { rows } = await ctx.db.pool.query<PasswordCheck>(
      `select id,
              coalesce(encrypted_password, '') <> '' as has_password,
              coalesce(encrypted_password <> '' and encrypted_password = crypt($2, encrypted_password), false) as password_ok,
              email_confirmed_at is not null as confirmed
       from auth.users
       where lower(email) = lower($1) and coalesce(aud, 'authenticated') = 'authenticated'`,
      [email, body.password ?? ''],
    );
    const user = rows[0];
    if (user === undefined || !user.has_password || !user.password_ok) throw badRequest('invalid_credentials', INVALID_LOGIN);
    if (!user.confirmed) throw badRequest('email_not_confirmed', 'Email not confirmed');
    sendJson(res, 200, await signIn(ctx, issuerFor(req), user.id));
  }

  async function refreshGrant(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const body = await readBody(req, refreshGrantSchema);
    sendJson(res, 200, await refresh(ctx, issuerFor(req), body.refresh_token ?? ''));
  }

  async function adminRoute(req: IncomingMessage, res: ServerResponse, route: string, query: URLSearchParams): Promise<void> {
    const method = req.method ?? 'GET';
    await requireAdmin(ctx, req);
    if (route === '/admin/users') {
      if (method === 'GET') return listUsersRoute(ctx, res, query, `${issuerFor(req)}/admin/users`);
      if (method === 'POST') return createUserRoute(ctx, res, await readAdminBody(req, adminUserSchema));
      throw new AuthHttpError(405, 'method_not_allowed', `Method ${method} is not allowed on ${route}`);
    }
    const id = adminUserId(route.slice('/admin/users/'.length));
    if (method === 'GET') return getUserRoute(ctx, res, id);
    if (method === 'PUT') return updateUserRoute(ctx, res, id, await readAdminBody(req, adminUserSchema));
    if (method === 'DELETE') return deleteUserRoute(ctx, res, id, await readAdminBody(req, adminDeleteSchema));
    throw new AuthHttpError(405, 'method_not_allowed', `Method ${method} is not allowed on /admin/users/{user_id}`);
  }

  async function route(req: IncomingMessage, res: ServerResponse, path: string): Promise<void> {
    const method = req.method ?? 'GET';
    const target = requestTarget(req, path);
    const route = target.path.replace(/\/+$/, '') || '/';
    if (route === '/signup' && method === 'POST') {
      return sendJson(res, 200, await signUp(ctx, issuerFor(req), await readBody(req, signupSchema)));
    }
    if (route === '/admin/users' || /^\/admin\/users\/[^/]+$/.test(route)) return adminRoute(req, res, route, target.query);
    if (route === '/token' && method === 'POST') {
      const grantType = target.query.get('grant_type');
      if (grantType === 'password') return passwordGrant(req, res);
      if (grantType === 'refresh_token') return refreshGrant(req, res);
      throw new AuthOAuthError('unsupported_grant_type');
    }
    if (route === '/user' && method === 'GET') {
      const { user } = await authenticate(ctx, req);
      return sendJson(res, 200, userJson(user));
    }
    if (route === '/logout' && method === 'POST') {
      const scope = target.query.get('scope') ?? '';
      if (!['', 'global', 'local', 'others'].includes(scope)) throw badRequest('validation_failed', `Unsupported logout scope ${JSON.stringify(scope)}`);
      const { user, sessionId } = await authenticate(ctx, req);
      await logout(ctx.db.pool, user.id, sessionId, (scope || 'global') as LogoutScope);
      req.resume();
      return sendEmpty(res, 204);
    }
    if (route === '/settings' && method === 'GET') {
      return sendJson(res, 200, {
        external: { anonymous_users: false, email: true, phone: false },
        disable_signup: ctx.auth.disableSignup,
        mailer_autoconfirm: ctx.auth.autoconfirm,
        phone_autoconfirm: false,
        sms_provider: '',
        saml_enabled: false,
      });
    }
    if (route === '/health' && method === 'GET') {
      return sendJson(res, 200, { version: 'beacon-local', name: 'GoTrue', description: 'GoTrue is a user registration and authentication API' });
    }
    if (['/token', '/user', '/logout', '/settings', '/health', '/signup'].includes(route)) {
      throw new AuthHttpError(405, 'method_not_allowed', `Method ${method} is not allowed on ${route}`);
    }
    throw new AuthHttpError(404, 'not_found', `The Beacon local stack does not implement ${method} /auth/v1${route}`);
  }

  return async (req, res, path) => {
    if (answerPreflight(req, res)) return;
    // Public, as on Supabase: verifiers (jose's createRemoteJWKSet, PostgREST, …) fetch it without a key.
    if (/^\/\.well-known\/jwks\.json\/?$/.test(requestTarget(req, path).path) && (req.method === 'GET' || req.method === 'HEAD')) {
      req.resume();
      sendJson(res, 200, jwks(ctx.keys), { 'Cache-Control': 'public, max-age=600' });
      return;
    }
    const key = await checkApiKey(ctx, req.headers);
    if (!key.ok) {
      req.resume();
      sendJson(res, key.error.status, key.error.body);
      return;
    }
    try {
      await route(req, res, path);
    } catch (error) {
      if (!(error instanceof AuthHttpError || error instanceof AuthOAuthError)) {
        ctx.log('error', 'auth request failed', { path, error: String(error) });
      }
      const answer =
        error instanceof AuthHttpError || error instanceof AuthOAuthError
          ? error
          : new AuthHttpError(500, 'unexpected_failure', 'Unexpected failure, please check server logs for more information');
      req.resume();
      if (res.headersSent) res.destroy();
      else sendAuthError(req, res, answer);
    }
  };
}
