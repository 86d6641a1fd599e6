/**
 * What community.postgresql's modules share: the connection options of their common argument spec
 * (names, aliases, defaults as `ansible-doc -j` prints them) and one way to run psql on the host with
 * the task's become (roles run these tasks as `become_user: postgres`, for peer authentication on the
 * unix socket). The password and the statements go on psql's standard input.
 */
import { z } from 'zod';
import type { ModuleContext, RunResult } from '@haweb/core';
import { parsePsqlJson, pgConnInfo, pgConnParams, psqlInput, psqlScript, type PgLogin, type Step } from '@haweb/hostkit';
import { boolish } from './schema.js';

/** Ansible's `str`: numbers and booleans as Python prints them. */
export const pyStr = z.union([z.string(), z.number(), z.boolean()]).transform((v) => (typeof v === 'boolean' ? (v ? 'True' : 'False') : String(v)));
const intArg = z.union([z.number().int(), z.string().regex(/^-?\d+$/)]).transform(Number);

/** The common options (postgres_common_argument_spec) plus session_role and trust_input. */
export const pgCommonOptions = {
  login_user: pyStr.default('postgres'),
  login_password: pyStr.default(''),
  login_host: pyStr.default(''),
  login_unix_socket: pyStr.default(''),
  port: intArg.default(5432),
  ssl_mode: z.enum(['allow', 'disable', 'prefer', 'require', 'verify-ca', 'verify-full']).default('prefer'),
  ca_cert: pyStr.optional(),
  ssl_cert: z.string().optional(),
  ssl_key: z.string().optional(),
  connect_params: z.record(z.string(), z.unknown()).default({}),
  session_role: pyStr.optional(),
  trust_input: boolish.default(true),
};

export const pgCommonAliases = {
  login_user: ['login'],
  login_host: ['host'],
  login_unix_socket: ['unix_socket'],
  port: ['login_port'],
  ca_cert: ['ssl_rootcert'],
} as const;

export type PgCommonArgs = PgLogin & { session_role?: string; trust_input: boolean };

/** The login part of a module's arguments. */
export function pgLogin(a: PgCommonArgs): PgLogin {
  return {
    login_user: a.login_user, login_password: a.login_password, login_host: a.login_host, login_unix_socket: a.login_unix_socket,
    port: a.port, ssl_mode: a.ssl_mode, ca_cert: a.ca_cert, ssl_cert: a.ssl_cert, ssl_key: a.ssl_key, connect_params: a.connect_params,
  };
}

export interface PsqlRun {
  result: RunResult;
  rows: Record<string, unknown>[];
}

/** psql against `dbname` (libpq's default when empty), the statements on its input. */
export async function runPsql(ctx: ModuleContext, login: PgLogin, dbname: string | undefined, sql: string): Promise<PsqlRun> {
  if (login.login_password) ctx.markSecret(login.login_password);
  const result = await ctx.remote.run(
    { script: psqlScript(pgConnInfo(pgConnParams(login, dbname))) },
    { become: ctx.become, stdin: psqlInput(login.login_password, sql), timeoutMs: 120_000 },
  );
  return { result, rows: parsePsqlJson(result.stdout) };
}

/** A step that runs statements through psql (nothing of them on the command line). */
export function psqlStep(login: PgLogin, dbname: string | undefined, sql: string, why: string): Step {
  return { kind: 'script', script: psqlScript(pgConnInfo(pgConnParams(login, dbname))), stdin: psqlInput(login.login_password, sql), why };
}
