// Listing fixtures written for these tests, in the shapes real servers send (column widths,
// numeric ids, cdir/pdir, fact order), and the "now" they were taken at.

/** The reference time of every fixture: 15 March 2024, 10:00 UTC. */
export const NOW = new Date(Date.UTC(2024, 2, 15, 10, 0));

/** vsftpd 3.0 LIST: numeric ids by default, zero-padded days, `Mmm dd  yyyy` for old files. */
export const VSFTPD_LIST = [
  "drwxr-xr-x    2 1000     1000         4096 Jan 31 12:00 dir",
  "-rw-r--r--    1 1000     1000         1234 Jan 31 12:00 file.txt",
  "lrwxrwxrwx    1 1000     1000            8 Feb 05 08:30 link -> file.txt",
  "-rw-r--r--    1 1000     1000      1048576 Mar 03  2021 old.bin",
  "-rw-------    1 1000     1000            0 Dec 24  2023 empty",
];

/** ProFTPD 1.3 LIST: names for owner/group, `total` line first. */
export const PROFTPD_LIST = [
  "total 16",
  "drwxr-xr-x   3 alice    users        4096 Jan 31 12:00 .",
  "drwxr-xr-x  10 root     root         4096 Jan  1  2024 ..",
  "-rw-r--r--   1 alice    users        1234 Jan 31 12:00 file.txt",
  "-rw-r--r--   1 alice    users          42 Mar 14 23:59 two  spaces.txt",
];

/** ProFTPD 1.3 MLSD: facts in alphabetical order, UNIX.* in mixed case, cdir and pdir first. */
export const PROFTPD_MLSD = [
  "modify=20240131120000;perm=flcdmpe;type=cdir;unique=FD00U2A4C1;UNIX.group=100;UNIX.groupname=users;UNIX.mode=0755;UNIX.owner=1000;UNIX.ownername=alice; .",
  "modify=20240101000000;perm=flcdmpe;type=pdir;unique=FD00U2;UNIX.group=0;UNIX.groupname=root;UNIX.mode=0755;UNIX.owner=0;UNIX.ownername=root; ..",
  "modify=20240131120000;perm=adfrw;size=1234;type=file;unique=FD00U2A4C2;UNIX.group=100;UNIX.groupname=users;UNIX.mode=0644;UNIX.owner=1000;UNIX.ownername=alice; file.txt",
  "modify=20240131120000;perm=flcdmpe;type=dir;unique=FD00U2A4C3;UNIX.group=100;UNIX.groupname=users;UNIX.mode=02775;UNIX.owner=1000;UNIX.ownername=alice; shared dir",
  "modify=20240205083000;perm=adfrw;size=8;type=OS.unix=slink:/home/alice/file.txt;unique=FD00U2A4C4;UNIX.group=100;UNIX.groupname=users;UNIX.mode=0777;UNIX.owner=1000;UNIX.ownername=alice; link",
];

/** pure-ftpd LIST (wider id columns) and MLSD (`UNIX.uid`/`UNIX.gid`, type first). */
export const PUREFTPD_LIST = [
  "drwxr-xr-x    2 1000       1000             4096 Jan 31 12:00 dir",
  "-rw-r--r--    1 1000       1000             1234 Jan 31 12:00 file.txt",
];
export const PUREFTPD_MLSD = [
  "type=cdir;sizd=4096;modify=20240131120000;UNIX.mode=0755;UNIX.uid=1000;UNIX.gid=1000;unique=803g1a2b3c; .",
  "type=pdir;sizd=4096;modify=20240101000000;UNIX.mode=0755;UNIX.uid=0;UNIX.gid=0;unique=803g1a2b3b; ..",
  "type=file;size=1234;modify=20240131120000;UNIX.mode=0644;UNIX.uid=1000;UNIX.gid=1000;unique=803g1a2b3d; file.txt",
];

/** IIS in MS-DOS style, two-digit and four-digit years. */
export const IIS_LIST = [
  "01-31-24  12:00PM       <DIR>          dir",
  "01-31-24  09:05AM                 1234 file.txt",
  "12-05-96  05:03PM       <DIR>          old dir",
  "01-31-2024  12:15AM            1,234,567 big file.bin",
];

/** EPLF, as in its specification. */
export const EPLF_LIST = [
  "+i8388621.29609,m824255902,/,\tdev",
  "+i8388621.44468,m839956783,r,s10376,up644,\tRFCEPLF",
];
