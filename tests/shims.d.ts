// pg ships no types of its own; the tests only create and drop schemas with it.
declare module 'pg';
