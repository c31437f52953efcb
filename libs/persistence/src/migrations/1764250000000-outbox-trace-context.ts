import { MigrationInterface, QueryRunner, TableColumn } from 'typeorm';

/**
 * The W3C trace context of the request (or message) that wrote each outbox
 * row, so the relay can hand it on in the CloudEvent and a subscriber's work
 * joins that trace. Null when tracing was off.
 */
export class OutboxTraceContext1764250000000 implements MigrationInterface {
  name = 'OutboxTraceContext1764250000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.addColumns('outbox', [
      new TableColumn({ name: 'traceparent', type: 'varchar', length: '55', isNullable: true }),
      new TableColumn({ name: 'tracestate', type: 'varchar', length: '512', isNullable: true }),
    ]);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropColumns('outbox', ['traceparent', 'tracestate']);
  }
}
