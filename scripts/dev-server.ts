/** `npm run dev-server`: the embedded Temporal dev server with the Web UI, until Ctrl-C. */
import path from 'node:path';
import { Command, InvalidArgumentError } from 'commander';
import { loadConfig } from '../config';
import { startDevServer } from '../tools/stack/dev-server';

function parsePort(value: string): number {
  const port = Number(value);
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    throw new InvalidArgumentError('must be a port number from 1 to 65535');
  }
  return port;
}

async function main(): Promise<void> {
  const { devServer, dataDir, codecKeys, codecServer } = loadConfig();
  const command = new Command('dev-server')
    .description('Run the embedded Temporal dev server (Web UI, SQLite persistence, byoi search attributes).')
    .option('--ip <ip>', 'address to bind', devServer.ip)
    .option('--port <port>', 'frontend gRPC port', parsePort, devServer.port)
    .option('--ui-port <port>', 'Web UI port', parsePort, devServer.uiPort)
    .option('--headless', 'run without the Web UI', false)
    .option('--db-file <file>', 'SQLite file that keeps workflows across restarts', devServer.dbFile)
    .option(
      '--codec-endpoint <url>',
      'the codec server the Web UI decodes sealed payloads through (default with codec keys: npm run codec-server on BYOI_CODEC_SERVER_HOST:PORT)',
      codecKeys ? `http://${codecServer.host}:${codecServer.port}` : undefined,
    )
    .parse();
  const flags = command.opts<{
    ip: string;
    port: number;
    uiPort: number;
    headless: boolean;
    dbFile: string;
    codecEndpoint?: string;
  }>();
  const server = await startDevServer({
    ip: flags.ip,
    port: flags.port,
    uiPort: flags.headless ? undefined : flags.uiPort,
    dbFile: flags.dbFile,
    codecEndpoint: flags.codecEndpoint,
    logFile: path.join(dataDir, 'temporal-dev-server.log'),
  });
  console.log(`Temporal dev server on ${server.address} (pid ${server.pid}), state in ${flags.dbFile}`);
  if (server.uiUrl) console.log(`Web UI: ${server.uiUrl}`);
  console.log('Press Ctrl-C to stop.');
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  await server.stop();
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
