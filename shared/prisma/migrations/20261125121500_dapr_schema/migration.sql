-- Written by hand: the schema Dapr's PostgreSQL state store keeps its tables in (actors, workflows).
-- Its connection string sets search_path=dapr, and Prisma's own tables stay in public.
-- (No semicolon in comments: the engine's WebAssembly build splits scripts on them.)
CREATE SCHEMA IF NOT EXISTS "dapr";
