/**
 * The shell's command table: every command in the order `help` lists them, and `help` itself.
 */
import * as remote from "./commands-remote.js";
import * as session from "./commands-session.js";
import * as transfer from "./commands-transfer.js";
import { argumentsOf, commandList, commandUsage, findShellCommand, type ShellCommand } from "./table.js";

const help: ShellCommand = {
  name: "help",
  aliases: ["?"],
  usage: "help [COMMAND]",
  summary: "list the commands, or show how to use one",
  args: { min: 0, max: 1 },
  argument: argumentsOf("command", "none"),
  async run({ session: shell, positionals }) {
    const name = positionals[0];
    if (name === undefined) {
      shell.out.line("Commands (Tab completes names; 'help COMMAND' for one):");
      for (const line of commandList(SHELL_COMMANDS)) shell.out.line(line);
      return undefined;
    }
    const command = findShellCommand(SHELL_COMMANDS, name);
    if (!command) {
      shell.out.error(`help: no command ${JSON.stringify(name)}`);
      return 2;
    }
    for (const line of commandUsage(command)) shell.out.line(line);
    return undefined;
  },
};

/** Every shell command. */
export const SHELL_COMMANDS: readonly ShellCommand[] = [
  session.open,
  session.close,
  remote.ls,
  session.cd,
  session.pwd,
  session.lcd,
  session.lpwd,
  session.lls,
  transfer.get,
  transfer.put,
  transfer.mget,
  transfer.mput,
  remote.mkdir,
  remote.rmdir,
  remote.rm,
  remote.rename,
  transfer.mirror,
  session.bookmark,
  session.bookmarks,
  help,
  session.quit,
];

/** Every name and alias, for completion. */
export const SHELL_COMMAND_NAMES: readonly string[] = SHELL_COMMANDS.flatMap((command) => [
  command.name,
  ...(command.aliases ?? []),
]);
