/**
 * Archives without dependencies (Node's zlib only): streaming writers for ZIP
 * ({@link ZipWriter}: deflate, data descriptors, UTF-8 names, ZIP64) and tar.gz
 * ({@link TarGzWriter}: ustar + PAX), each writing to a temporary file renamed on `finish()`, and
 * readers that list an archive and read entries back with their integrity checked
 * ({@link readZipEntries}, {@link readTarGzEntries}). Entry names are relative `/`-separated
 * paths; `..`, absolute paths and NUL are refused both ways.
 */
export type { ArchiveEntry, ArchiveReadOptions } from "./entry.js";
export type { DirectoryEntryOptions, EntrySource, FileEntryOptions } from "./entry-options.js";
export { checkEntryName, MAX_ENTRY_NAME_BYTES, unsafeEntryNameReason } from "./names.js";
export { readTarGzEntries, type TarEntry } from "./tgz-reader.js";
export { TarGzWriter, type TarGzWriterOptions } from "./tgz-writer.js";
export { readZipEntries, type ZipEntry } from "./zip-reader.js";
export { type ArchiveSummary, ZipWriter, type ZipWriterOptions } from "./zip-writer.js";
