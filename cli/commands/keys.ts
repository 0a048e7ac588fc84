// `ringwatch keys create|list|revoke`: API keys. A created key is printed once.
import type { Command } from 'commander';
import { cliActor } from '../../queries/audit';
import { createApiKey, isRole, listApiKeys, ROLES, revokeApiKey } from '../../queries/keys';
import type { CliDeps } from '../context';
import { output, printTable } from '../output';

export function register(program: Command, deps: CliDeps) {
  const keys = program.command('keys').description('API keys for the HTTP API and dashboard (roles: analyst = read, policy = + review and export, admin = + keys, jobs, config)');

  keys
    .command('create')
    .description('create a key; it is shown once and stored only as a salted scrypt hash')
    .requiredOption('--role <role>', `one of ${ROLES.join(', ')}`)
    .option('--name <name>', 'who or what uses it')
    .action(async (opts: { role: string; name?: string }) => {
      if (!isRole(opts.role)) throw new Error(`--role must be one of ${ROLES.join(', ')}, got "${opts.role}"`);
      const role = opts.role;
      const created = await deps.withStore((store) => createApiKey(store, { role, name: opts.name, actor: cliActor() }));
      output(program.opts().json, created, () => {
        process.stdout.write(`${created.key}\n`);
        process.stderr.write(`key ${created.id} (${created.role}, "${created.name}") created. Copy it now: it cannot be shown again.\n`);
      });
    });

  keys
    .command('list')
    .description('list keys (ids, roles, names, dates; never secrets)')
    .action(async () => {
      const list = await deps.withStore((store) => listApiKeys(store));
      output(program.opts().json, list, () =>
        printTable(list.map((k) => ({ id: k._id, role: k.role, name: k.name, created: k.createdAt, lastUsed: k.lastUsedAt, revoked: k.revokedAt }))),
      );
    });

  keys
    .command('revoke <id>')
    .description('revoke a key by id (the part after rw_)')
    .action(async (id: string) => {
      const revoked = await deps.withStore((store) => revokeApiKey(store, id, cliActor()));
      if (!revoked) throw new Error(`no key with id "${id}" (see ringwatch keys list)`);
      output(program.opts().json, revoked, () => process.stdout.write(`key ${id} revoked at ${revoked.revokedAt?.toISOString()}\n`));
    });
}
