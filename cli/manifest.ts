// The command manifest (cli/commands.json) as the command modules define it now.
import { createDeps } from './context';
import { baseProgram, type ManifestEntry, type ManifestOption, PROGRAM_DESCRIPTION, registerAll } from './main';

export async function currentManifest(): Promise<{ description: string; options: ManifestOption[]; commands: ManifestEntry[] }> {
  const program = baseProgram();
  // --version is the program's own (its text comes from package.json at run time).
  const options = program.options.filter((o) => o.long !== '--version').map((o) => ({ flags: o.flags, description: o.description, value: o.required || o.optional }));
  const commands: ManifestEntry[] = [];
  const help = program.createHelp();
  await registerAll(program, createDeps(program), (module, added) => {
    for (const c of added) commands.push({ name: c.name(), term: help.subcommandTerm(c), description: c.description(), module });
  });
  return { description: PROGRAM_DESCRIPTION, options, commands };
}
