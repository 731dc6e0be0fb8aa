import {
  appendFile as appendFileCallback,
  close as closeCallback,
  fdatasync as fdatasyncCallback,
  fstat as fstatCallback,
  fsync as fsyncCallback,
  ftruncate as ftruncateCallback,
  mkdir as mkdirCallback,
  open as openCallback,
  read as readCallback,
  readdir as readdirCallback,
  readFile as readFileCallback,
  rename as renameCallback,
  stat as statCallback,
  truncate as truncateCallback,
  unlink as unlinkCallback,
  write as writeCallback,
  writeFile as writeFileCallback,
} from 'node:fs';

/**
 * The file calls the spool makes, as promises over node:fs's callback functions. Not
 * node:fs/promises: on Node 24 loading it loads readline and the REPL's history too (~1 MiB
 * resident in an agent whose budget is a bare Node process and half again, bench/INGEST.md).
 * Each wraps the callback function of the same name, so the system calls, flags and errors
 * are those of node:fs/promises; files are numbered descriptors rather than FileHandles.
 * Named imports only: a namespace import would keep every export of node:fs in the agents'
 * build, and read them all (agents/build.ts).
 */

const settle =
  <T>(resolve: (value: T) => void, reject: (error: Error) => void) =>
  (error: NodeJS.ErrnoException | null, value?: T) =>
    error ? reject(error) : resolve(value as T);

export const open = (file: string, flags: string) =>
  new Promise<number>((resolve, reject) => openCallback(file, flags, settle(resolve, reject)));

export const close = (fd: number) => new Promise<void>((resolve, reject) => closeCallback(fd, settle(resolve, reject)));

/** fsync(2): the file's data and metadata. */
export const fsync = (fd: number) => new Promise<void>((resolve, reject) => fsyncCallback(fd, settle(resolve, reject)));

/** fdatasync(2): the file's data (and the metadata needed to read it back). */
export const fdatasync = (fd: number) => new Promise<void>((resolve, reject) => fdatasyncCallback(fd, settle(resolve, reject)));

export const fstatSize = (fd: number) =>
  new Promise<number>((resolve, reject) => fstatCallback(fd, (error, stats) => (error ? reject(error) : resolve(stats.size))));

export const ftruncate = (fd: number, length: number) =>
  new Promise<void>((resolve, reject) => ftruncateCallback(fd, length, settle(resolve, reject)));

/** One pwrite(2), as FileHandle.write: resolves with the bytes written. */
export const write = (fd: number, buffer: Buffer, offset: number, length: number, position: number) =>
  new Promise<number>((resolve, reject) => writeCallback(fd, buffer, offset, length, position, settle(resolve, reject)));

/** One pread(2), as FileHandle.read: resolves with the bytes read. */
export const read = (fd: number, buffer: Buffer, offset: number, length: number, position: number) =>
  new Promise<number>((resolve, reject) => readCallback(fd, buffer, offset, length, position, settle(resolve, reject)));

export const readFile = (file: string) => new Promise<string>((resolve, reject) => readFileCallback(file, 'utf8', settle(resolve, reject)));

export const writeFile = (file: string, text: string) =>
  new Promise<void>((resolve, reject) => writeFileCallback(file, text, settle(resolve, reject)));

export const appendFile = (file: string, text: string) =>
  new Promise<void>((resolve, reject) => appendFileCallback(file, text, 'utf8', settle(resolve, reject)));

export const rename = (from: string, to: string) =>
  new Promise<void>((resolve, reject) => renameCallback(from, to, settle(resolve, reject)));

export const truncate = (file: string, length: number) =>
  new Promise<void>((resolve, reject) => truncateCallback(file, length, settle(resolve, reject)));

export const mkdirp = (dir: string) =>
  new Promise<void>((resolve, reject) => mkdirCallback(dir, { recursive: true }, (error) => (error ? reject(error) : resolve())));

export const readdir = (dir: string) => new Promise<string[]>((resolve, reject) => readdirCallback(dir, settle(resolve, reject)));

export const statSize = (file: string) =>
  new Promise<number>((resolve, reject) => statCallback(file, (error, stats) => (error ? reject(error) : resolve(stats.size))));

/** Removes a file; one that is not there is no error (rm with force, for a file). */
export const unlinkIfThere = (file: string) =>
  new Promise<void>((resolve, reject) => unlinkCallback(file, (error) => (error && error.code !== 'ENOENT' ? reject(error) : resolve())));
