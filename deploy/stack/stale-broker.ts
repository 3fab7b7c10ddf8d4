// A broker killed with -9 leaves its ephemeral /brokers/ids/<id> znode until
// its ZooKeeper session expires (zookeeper.session.timeout.ms, 6 s here); a
// new broker with the same id refuses to start while it exists. So wait.
// `zk` is a connect string: any live server of an ensemble answers.
import { StackError } from './errors';
import { openZooKeeperSession } from './readiness';
import { sleep } from './service-process';

const EXPIRY_WAIT_MS = 20_000;

export async function waitForStaleBrokerToExpire(zk: string, brokerId: number, log: (line: string) => void): Promise<void> {
  const client = await openZooKeeperSession(zk, 10_000);
  if (!client) throw new StackError('START_TIMEOUT', `kafka needs ZooKeeper on ${zk}, which does not answer`);
  const path = `/brokers/ids/${brokerId}`;
  try {
    const deadline = Date.now() + EXPIRY_WAIT_MS;
    let announced = false;
    while (await znodeExists(client, path)) {
      if (!announced) log(`kafka: waiting for the previous broker's ZooKeeper session to expire (${path})`);
      announced = true;
      if (Date.now() >= deadline) {
        throw new StackError('STALE_BROKER', `${path} is still registered in ZooKeeper on ${zk} by a broker that is not this stack's; stop that broker first`);
      }
      await sleep(250);
    }
  } finally {
    client.close();
  }
}

function znodeExists(client: import('node-zookeeper-client').Client, path: string): Promise<boolean> {
  return new Promise((resolve, reject) => {
    client.exists(path, (err, stat) => (err ? reject(err) : resolve(Boolean(stat))));
  });
}
