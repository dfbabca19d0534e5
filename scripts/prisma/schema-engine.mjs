// Prisma's own schema engine, run from its WebAssembly build (@prisma/schema-engine-wasm, the same
// engine commit as our prisma CLI) through @prisma/adapter-pg, because the native engine cannot be
// downloaded on our machines. Same migrations directory, same _prisma_migrations table, same
// checksums: `prisma migrate deploy` with a native engine accepts what this applied. docs/migrations.md.
//
//   node scripts/prisma/schema-engine.mjs deploy                    apply pending migrations
//   node scripts/prisma/schema-engine.mjs status                    what is applied, pending, edited or failed
//   node scripts/prisma/schema-engine.mjs create-migration <name> [git-ref]
//        write a migration from schema.prisma as of git-ref (default HEAD; empty if absent there) to the
//        working tree's schema.prisma. No database needed; the engine's url and shadow-database diffs
//        are not available in its WebAssembly build.
import { mkdir, readFile, readdir, writeFile } from 'node:fs/promises'
import { createRequire } from 'node:module'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { execFileSync } from 'node:child_process'
import * as bg from '@prisma/schema-engine-wasm/schema_engine_bg'
import { bindMigrationAwareSqlAdapterFactory } from '@prisma/driver-adapter-utils'
import { PrismaPg } from '@prisma/adapter-pg'

const require = createRequire(import.meta.url)
const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..')
const SCHEMA = path.join(ROOT, 'shared', 'prisma', 'schema.prisma')
const MIGRATIONS = path.join(ROOT, 'shared', 'prisma', 'migrations')

async function loadEngineClass() {
  const wasmPath = path.join(path.dirname(require.resolve('@prisma/schema-engine-wasm/schema_engine_bg')), 'schema_engine_bg.wasm')
  const instance = new WebAssembly.Instance(new WebAssembly.Module(await readFile(wasmPath)), { './schema_engine_bg.js': bg })
  bg.__wbg_set_wasm(instance.exports)
  instance.exports.__wbindgen_start()
  return bg.SchemaEngine
}

// The prisma CLI's listing rules: every sub-directory is a migration, read as UTF-8, sorted with localeCompare.
async function listMigrations() {
  const lockContent = await readFile(path.join(MIGRATIONS, 'migration_lock.toml'), 'utf8').catch(() => null)
  const entries = await readdir(MIGRATIONS, { withFileTypes: true }).catch(() => [])
  const dirs = []
  for (const entry of entries.filter((e) => e.isDirectory())) {
    const content = await readFile(path.join(MIGRATIONS, entry.name, 'migration.sql'), 'utf8')
      .then((value) => ({ tag: 'ok', value }))
      .catch((error) => ({ tag: 'error', value: error.message }))
    dirs.push({ path: entry.name, migrationFile: { path: 'migration.sql', content } })
  }
  dirs.sort((a, b) => a.path.localeCompare(b.path))
  return { baseDir: MIGRATIONS, lockfile: { path: 'migration_lock.toml', content: lockContent }, migrationDirectories: dirs, shadowDbInitScript: '' }
}

const filters = { externalTables: [], externalEnums: [] }

function localDatabaseUrl() {
  const url = execFileSync('bash', [path.join(ROOT, 'scripts', 'infra.sh'), 'env', 'DATABASE_URL'], { encoding: 'utf8' }).trim()
  if (!url) throw new Error('DATABASE_URL is not set and scripts/infra.sh env gave none')
  return url
}

function schemaAt(ref) {
  try {
    return execFileSync('git', ['show', `${ref}:shared/prisma/schema.prisma`], { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] })
  } catch {
    return null // not in git at that ref: the migration starts from an empty database
  }
}

/**
 * The adapter runs a migration script as PostgreSQL's simple query protocol does: the whole script
 * in one call (one implicit transaction), as the native engine and psql do. @prisma/adapter-pg 7.10
 * splits it on every ";" first, which cut any function body (plpgsql, or SQL of more than one
 * statement) and any comment holding a semicolon into broken statements.
 */
function wholeScripts(pg) {
  const connect = pg.connect.bind(pg)
  pg.connect = async (...args) => {
    const adapter = await connect(...args)
    adapter.executeScript = async (script) => {
      try {
        await adapter.client.query(script)
      } catch (error) {
        adapter.onError(error)
      }
    }
    return adapter
  }
  return pg
}

function timestamp(date = new Date()) {
  return date.toISOString().replace(/[-:T]/g, '').slice(0, 14)
}

async function main() {
  const [command, name] = process.argv.slice(2)
  // The engine connects at start even to diff two schemas. Without DATABASE_URL, use the
  // project-local PostgreSQL (scripts/infra.sh start must have run).
  const url = process.env.DATABASE_URL ?? localDatabaseUrl()
  const factory = bindMigrationAwareSqlAdapterFactory(wholeScripts(new PrismaPg({ connectionString: url })))
  const SchemaEngine = await loadEngineClass()
  const log = (message) => process.env.DEBUG && process.stderr.write(`${message}\n`)

  if (command === 'deploy' || command === 'status') {
    const engine = await SchemaEngine.new({ datamodels: undefined }, log, factory)
    const migrationsList = await listMigrations()
    if (command === 'deploy') {
      const { appliedMigrationNames } = await engine.applyMigrations({ migrationsList, filters })
      console.log(appliedMigrationNames.length ? `migrations applied: ${appliedMigrationNames.join(', ')}` : 'migrations: database is up to date')
    } else {
      console.log(JSON.stringify(await engine.diagnoseMigrationHistory({ migrationsList, optInToShadowDatabase: false, filters }), null, 2))
    }
    return
  }
  if (command === 'create-migration') {
    if (!name || !/^[a-z0-9_]+$/.test(name)) throw new Error('usage: create-migration <snake_case_name> [git-ref]')
    const ref = process.argv[4] ?? 'HEAD'
    const content = await readFile(SCHEMA, 'utf8')
    const engine = await SchemaEngine.new({ datamodels: [[SCHEMA, content]] }, log, factory)
    const from = schemaAt(ref)
    const { stdout } = await engine.diff({
      from: from === null ? { tag: 'empty' } : { tag: 'schemaDatamodel', files: [{ path: SCHEMA, content: from }] },
      to: { tag: 'schemaDatamodel', files: [{ path: SCHEMA, content }] },
      script: true, exitCode: null, filters,
    })
    if (!stdout || /^-- This is an empty migration/.test(stdout)) {
      console.log(`no changes in schema.prisma since ${ref}`)
      return
    }
    const dir = path.join(MIGRATIONS, `${timestamp()}_${name}`)
    await mkdir(dir, { recursive: true })
    await writeFile(path.join(dir, 'migration.sql'), stdout.endsWith('\n') ? stdout : `${stdout}\n`)
    console.log(`wrote ${path.relative(ROOT, dir)}/migration.sql; review it, then npm run db:migrate`)
    return
  }
  throw new Error(`unknown command "${command}" (deploy | status | create-migration <name>)`)
}

main().then(() => process.exit(0), (error) => {
  console.error(`schema-engine: ${error instanceof Error ? error.message : JSON.stringify(error)}`)
  process.exit(1)
})
