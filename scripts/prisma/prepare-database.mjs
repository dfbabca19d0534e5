// Creates the `dapr` schema that Dapr's PostgreSQL state store writes its tables into (its
// connection string sets search_path=dapr), keeping them out of Prisma's `public` schema.
import pg from 'pg'

const client = new pg.Client({ connectionString: process.env.DATABASE_URL })
await client.connect()
try {
  await client.query('CREATE SCHEMA IF NOT EXISTS dapr')
} finally {
  await client.end()
}
