import { connect } from 'amqplib';

/** Deletes a bench run's exchange, so runs leave nothing behind on the broker. */
export async function deleteExchange(url: string, exchange: string): Promise<void> {
  const connection = await connect(url).catch(() => null);
  if (!connection) return;
  const channel = await connection.createChannel();
  await channel.deleteExchange(exchange).catch(() => undefined);
  await connection.close();
}
