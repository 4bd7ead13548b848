/**
 * Expires a ZooKeeper session for real, as Curator's KillSession does: a second client connects
 * with the same session id and password and closes it. The servers end the session (its ephemeral
 * nodes go at once) and the original client is told "expired" when it next talks to them.
 */
import zookeeper from 'node-zookeeper-client';

export async function killSession(
  connectString: string,
  credentials: { id: Buffer; password: Buffer },
  timeoutMs = 10_000,
): Promise<void> {
  const options = { sessionId: credentials.id, sessionPassword: credentials.password, sessionTimeout: 4000 };
  const client = zookeeper.createClient(connectString, options);
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error('could not attach to the session to kill it')),
      timeoutMs,
    );
    client.once('connected', () => {
      clearTimeout(timer);
      resolve();
    });
    client.once('expired', () => {
      clearTimeout(timer);
      resolve(); // already gone
    });
    client.connect();
  });
  // closeSession is a request like any other: wait until the server answered it and hung up.
  await new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, timeoutMs);
    client.once('disconnected', () => {
      clearTimeout(timer);
      resolve();
    });
    client.close();
  });
}
