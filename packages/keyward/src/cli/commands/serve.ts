// keyward serve: the multi-user server (app API, gateway, and with --sandbox the sandbox exchange).
// Configuration comes from --config FILE, KEYWARD_* variables and these flags, later wins; every
// problem is reported at once before anything starts.
import type { Command } from 'commander';
import { loadServerConfig } from '../../config/index.js';
import { startServer } from '../../main/index.js';
import { checkLockingOnce, defaultServerDataDir, type CommandContext } from '../context.js';
import { info } from '../output.js';

interface ServeCliOptions {
  config?: string; host?: string; port?: string; gatewayPort?: string; db?: string; dataDir?: string; kek?: string; sandbox?: boolean;
  tlsCert?: string; tlsKey?: string; insecureListen?: boolean; publicUrl?: string; smtpUrl?: string; webRoot?: string;
}

export function registerServe(program: Command, ctx: () => CommandContext, env: NodeJS.ProcessEnv): void {
  program
    .command('serve')
    .description('run the multi-user server: app API and web app, the signing gateway, optionally the sandbox exchange')
    .option('--config <file>', 'a JSON configuration file (keys as in the README; KEYWARD_* variables and flags override it)')
    .option('--host <address>', 'address to listen on (default 127.0.0.1; anything else needs TLS)')
    .option('--port <port>', 'port of the app API and web app (default 8080)')
    .option('--gateway-port <port>', 'port of the signing gateway (default 8787)')
    .option('--db <url>', 'sqlite:PATH or postgres://... (default: SQLite in the data directory)')
    .option('--data-dir <dir>', 'where the SQLite file, key file and audit checkpoints live')
    .option('--kek <spec>', 'file:PATH or pkcs11:module=PATH;token=LABEL;key=LABEL;pin-file=PATH')
    .option('--sandbox', 'run the sandbox exchange in this process and send every exchange request there')
    .option('--tls-cert <file>', 'PEM certificate: serve HTTPS')
    .option('--tls-key <file>', 'PEM private key')
    .option('--insecure-listen', 'allow a non-loopback address without TLS (behind a TLS proxy only)')
    .option('--public-url <url>', 'the URL people open (passkey origin, links in e-mails)')
    .option('--smtp-url <url>', 'SMTP server for notification e-mails, smtp://host:port')
    .option('--web-root <dir>', 'serve this build of the web app (default: packages/web/dist beside this Keyward)')
    .action(async (o: ServeCliOptions) => {
      const config = loadServerConfig({
        ...(o.config === undefined ? {} : { file: o.config }),
        env,
        flags: {
          host: o.host, port: o.port, gatewayPort: o.gatewayPort, db: o.db, dataDir: o.dataDir, kek: o.kek, sandbox: o.sandbox,
          tlsCert: o.tlsCert, tlsKey: o.tlsKey, insecureListen: o.insecureListen, publicUrl: o.publicUrl, smtpUrl: o.smtpUrl, webRoot: o.webRoot,
        },
      });
      checkLockingOnce();
      const server = await startServer({ config, defaultDataDir: defaultServerDataDir(ctx()) });
      info(`Keyward is running. Open ${server.url}`);
      info(`Gateway for bots: ${server.gatewayUrl}/<exchange>/...`);
      if (server.sandbox !== null) info(`Sandbox exchange: ${server.sandbox.url} (paper money; every exchange request goes here)`);
      info(`API description: ${server.url}/api/v1/openapi.json`);
      await new Promise<void>((resolve) => {
        for (const sig of ['SIGINT', 'SIGTERM'] as const) process.once(sig, () => resolve());
      });
      info('Stopping: finishing the audit log and wiping keys.');
      await server.close();
    });
}
