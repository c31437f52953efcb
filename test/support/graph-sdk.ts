/* The SDK calls the e2e suites make are the bot example's own: one client, tested by both. */
export * from '../../examples/bot/graph-calls';
