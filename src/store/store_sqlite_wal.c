/*
 * store_sqlite_wal.c: the SQLite driver's file layer, a VFS over SQLite's own ("unix") that
 * writes a transaction's WAL frames in one system call instead of two per page.
 *
 * SQLite appends each frame as two writes (its 24-byte header, then the page). This layer
 * gathers the writes to a WAL file that follow each other in memory and writes them out as one
 * when the frame that ends a transaction (its header's commit field is set) is complete, so an
 * error still comes back from the write that SQLite is making, and its COMMIT fails. Before it
 * publishes the new frames to readers (the WAL index header, around its xShmBarrier), SQLite has
 * therefore written them: readers in this and every other process read only frames that are in
 * the file, and a COMMIT that returned is in the WAL exactly as without this layer (what
 * `durability normal` and `full` promise is unchanged: FULL's xSync writes the frames first).
 * Anything else that touches the WAL (a read, a sync, its size, a truncation, a file control,
 * its close, a write elsewhere in the file) writes the gathered frames out first; so does the
 * barrier of the database file whose WAL it is, should a commit frame ever go unrecognised.
 * Every other file (the database, its shared-memory index) is SQLite's own, untouched.
 */
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "platform/log.h"
#include "store/store_sqlite_int.h"

#define WAL_FRAME_HEADER 24
#define GATHER_START (128 * 1024)
#define GATHER_MAX (4 * 1024 * 1024)
/* the unix VFS writes at most 128 KiB - 1 bytes a call (it masks the length with 0x1ffff) */
#define WRITE_MAX (124 * 1024)

struct layer_file {
	sqlite3_file base;
	sqlite3_file *real;          /* SQLite's own file, allocated right after this struct */
	const char *db_name;         /* the database's name as SQLite passed it: its WAL names it */
	struct layer_file *wal;      /* a database file: its connection's WAL, if open */
	struct layer_file *db;       /* a WAL: its connection's database file */
	struct layer_file *next;     /* the open database files (registry below) */
	unsigned char *buf;          /* a WAL: the gathered writes, for file offsets at .. at+len */
	size_t len, cap;
	sqlite3_int64 at;
	bool ends_commit;            /* the last write gathered is a commit frame's header */
	int failed;                  /* a write-out outside a write failed: every later call fails */
};

static sqlite3_vfs *real_vfs;
static pthread_mutex_t registry_lock = PTHREAD_MUTEX_INITIALIZER;
static struct layer_file *open_dbs;

static int write_through(sqlite3_file *real, const unsigned char *data, size_t len, sqlite3_int64 at)
{
	int rc = SQLITE_OK;
	for (size_t done = 0; done < len && rc == SQLITE_OK; done += WRITE_MAX) {
		size_t n = len - done < WRITE_MAX ? len - done : WRITE_MAX;
		rc = real->pMethods->xWrite(real, data + done, (int)n, at + (sqlite3_int64)done);
	}
	return rc;
}

static int write_out(struct layer_file *p)
{
	if (p->failed)
		return p->failed;
	if (p->len == 0)
		return SQLITE_OK;
	int rc = write_through(p->real, p->buf, p->len, p->at);
	p->len = 0;
	p->ends_commit = false;
	return rc;
}

/* ---- the WAL's methods ---- */

static int wal_close(sqlite3_file *f)
{
	struct layer_file *p = (struct layer_file *)f;
	int rc = write_out(p);
	pthread_mutex_lock(&registry_lock);
	if (p->db)
		p->db->wal = NULL;
	pthread_mutex_unlock(&registry_lock);
	free(p->buf);
	int rc2 = p->real->pMethods->xClose(p->real);
	return rc != SQLITE_OK ? rc : rc2;
}

static int wal_read(sqlite3_file *f, void *out, int n, sqlite3_int64 off)
{
	struct layer_file *p = (struct layer_file *)f;
	int rc = write_out(p);
	return rc != SQLITE_OK ? rc : p->real->pMethods->xRead(p->real, out, n, off);
}

static bool is_commit_header(const unsigned char *h, int n)
{
	/* a frame header: page number, then the database's size in pages after a commit (else 0) */
	return n == WAL_FRAME_HEADER && (h[4] | h[5] | h[6] | h[7]) != 0;
}

static int wal_write(sqlite3_file *f, const void *data, int n, sqlite3_int64 off)
{
	struct layer_file *p = (struct layer_file *)f;
	int rc;
	if (p->failed)
		return p->failed;
	bool completes_commit = p->ends_commit;
	if (p->len && (off != p->at + (sqlite3_int64)p->len || p->len + (size_t)n > GATHER_MAX) &&
	    (rc = write_out(p)) != SQLITE_OK)
		return rc;
	if (p->len + (size_t)n > p->cap) {
		size_t cap = p->cap ? p->cap : GATHER_START;
		while (cap < p->len + (size_t)n && cap < GATHER_MAX)
			cap *= 2;
		unsigned char *b = cap >= p->len + (size_t)n ? realloc(p->buf, cap) : NULL;
		if (!b) {
			/* too large to gather (or no memory): written as SQLite asked */
			if ((rc = write_out(p)) != SQLITE_OK)
				return rc;
			return write_through(p->real, data, (size_t)n, off);
		}
		p->buf = b;
		p->cap = cap;
	}
	if (p->len == 0)
		p->at = off;
	memcpy(p->buf + p->len, data, (size_t)n);
	p->len += (size_t)n;
	p->ends_commit = is_commit_header(data, n);
	return completes_commit ? write_out(p) : SQLITE_OK;
}

static int wal_truncate(sqlite3_file *f, sqlite3_int64 size)
{
	struct layer_file *p = (struct layer_file *)f;
	int rc = write_out(p);
	return rc != SQLITE_OK ? rc : p->real->pMethods->xTruncate(p->real, size);
}

static int wal_sync(sqlite3_file *f, int flags)
{
	struct layer_file *p = (struct layer_file *)f;
	int rc = write_out(p);
	return rc != SQLITE_OK ? rc : p->real->pMethods->xSync(p->real, flags);
}

static int wal_file_size(sqlite3_file *f, sqlite3_int64 *size)
{
	struct layer_file *p = (struct layer_file *)f;
	int rc = write_out(p);
	return rc != SQLITE_OK ? rc : p->real->pMethods->xFileSize(p->real, size);
}

static int wal_file_control(sqlite3_file *f, int op, void *arg)
{
	struct layer_file *p = (struct layer_file *)f;
	int rc = write_out(p);
	return rc != SQLITE_OK ? rc : p->real->pMethods->xFileControl(p->real, op, arg);
}

/* ---- methods passed through to SQLite's own file ---- */

#define REAL(f) (((struct layer_file *)(f))->real)

static int db_close(sqlite3_file *f)
{
	struct layer_file *p = (struct layer_file *)f;
	pthread_mutex_lock(&registry_lock);
	for (struct layer_file **q = &open_dbs; *q; q = &(*q)->next)
		if (*q == p) {
			*q = p->next;
			break;
		}
	if (p->wal)
		p->wal->db = NULL;
	pthread_mutex_unlock(&registry_lock);
	return p->real->pMethods->xClose(p->real);
}

static int pass_read(sqlite3_file *f, void *o, int n, sqlite3_int64 off) { return REAL(f)->pMethods->xRead(REAL(f), o, n, off); }
static int pass_write(sqlite3_file *f, const void *d, int n, sqlite3_int64 off) { return REAL(f)->pMethods->xWrite(REAL(f), d, n, off); }
static int pass_truncate(sqlite3_file *f, sqlite3_int64 s) { return REAL(f)->pMethods->xTruncate(REAL(f), s); }
static int pass_sync(sqlite3_file *f, int fl) { return REAL(f)->pMethods->xSync(REAL(f), fl); }
static int pass_file_size(sqlite3_file *f, sqlite3_int64 *s) { return REAL(f)->pMethods->xFileSize(REAL(f), s); }
static int pass_lock(sqlite3_file *f, int l) { return REAL(f)->pMethods->xLock(REAL(f), l); }
static int pass_unlock(sqlite3_file *f, int l) { return REAL(f)->pMethods->xUnlock(REAL(f), l); }
static int pass_check_lock(sqlite3_file *f, int *o) { return REAL(f)->pMethods->xCheckReservedLock(REAL(f), o); }
static int pass_file_control(sqlite3_file *f, int op, void *a) { return REAL(f)->pMethods->xFileControl(REAL(f), op, a); }
static int pass_sector_size(sqlite3_file *f) { return REAL(f)->pMethods->xSectorSize(REAL(f)); }
static int pass_device(sqlite3_file *f) { return REAL(f)->pMethods->xDeviceCharacteristics(REAL(f)); }
static int pass_shm_map(sqlite3_file *f, int i, int sz, int ext, void volatile **pp) { return REAL(f)->pMethods->xShmMap(REAL(f), i, sz, ext, pp); }
static int pass_shm_lock(sqlite3_file *f, int off, int n, int fl) { return REAL(f)->pMethods->xShmLock(REAL(f), off, n, fl); }
static int pass_shm_unmap(sqlite3_file *f, int del) { return REAL(f)->pMethods->xShmUnmap(REAL(f), del); }
static int pass_fetch(sqlite3_file *f, sqlite3_int64 off, int n, void **pp) { return REAL(f)->pMethods->xFetch(REAL(f), off, n, pp); }
static int pass_unfetch(sqlite3_file *f, sqlite3_int64 off, void *p) { return REAL(f)->pMethods->xUnfetch(REAL(f), off, p); }

/* The WAL index header is about to name new frames: they must be in the WAL file by then. */
static void db_shm_barrier(sqlite3_file *f)
{
	struct layer_file *p = (struct layer_file *)f;
	if (p->wal && p->wal->len) {
		int rc = write_out(p->wal);
		if (rc != SQLITE_OK) {
			p->wal->failed = rc;
			log_error("cannot write the WAL's frames before publishing them", "error", sqlite3_errstr(rc), NULL);
		}
	}
	REAL(f)->pMethods->xShmBarrier(REAL(f));
}

static void pass_shm_barrier(sqlite3_file *f) { REAL(f)->pMethods->xShmBarrier(REAL(f)); }
static int pass_close(sqlite3_file *f) { return REAL(f)->pMethods->xClose(REAL(f)); }

static const sqlite3_io_methods db_methods = {
	3, db_close, pass_read, pass_write, pass_truncate, pass_sync, pass_file_size, pass_lock, pass_unlock,
	pass_check_lock, pass_file_control, pass_sector_size, pass_device, pass_shm_map, pass_shm_lock, db_shm_barrier,
	pass_shm_unmap, pass_fetch, pass_unfetch,
};

static const sqlite3_io_methods wal_methods = {
	3, wal_close, wal_read, wal_write, wal_truncate, wal_sync, wal_file_size, pass_lock, pass_unlock,
	pass_check_lock, wal_file_control, pass_sector_size, pass_device, pass_shm_map, pass_shm_lock, pass_shm_barrier,
	pass_shm_unmap, pass_fetch, pass_unfetch,
};

static const sqlite3_io_methods other_methods = {
	3, pass_close, pass_read, pass_write, pass_truncate, pass_sync, pass_file_size, pass_lock, pass_unlock,
	pass_check_lock, pass_file_control, pass_sector_size, pass_device, pass_shm_map, pass_shm_lock, pass_shm_barrier,
	pass_shm_unmap, pass_fetch, pass_unfetch,
};

/* ---- the VFS ---- */

static int layer_open(sqlite3_vfs *vfs, sqlite3_filename name, sqlite3_file *f, int flags, int *out_flags)
{
	(void)vfs;
	struct layer_file *p = (struct layer_file *)f;
	memset(p, 0, sizeof *p);
	p->real = (sqlite3_file *)(p + 1);
	int rc = real_vfs->xOpen(real_vfs, name, p->real, flags, out_flags);
	if (rc != SQLITE_OK || !p->real->pMethods)
		return rc;
	if (p->real->pMethods->iVersion < 3) {
		/* not SQLite's unix files: nothing here can stand in for their methods */
		p->real->pMethods->xClose(p->real);
		return SQLITE_CANTOPEN;
	}
	if ((flags & SQLITE_OPEN_MAIN_DB) && name) {
		p->db_name = name;
		p->base.pMethods = &db_methods;
		pthread_mutex_lock(&registry_lock);
		p->next = open_dbs;
		open_dbs = p;
		pthread_mutex_unlock(&registry_lock);
	} else if ((flags & SQLITE_OPEN_WAL) && name) {
		/* SQLite names a WAL from its database's name, in the same allocation */
		const char *db_name = sqlite3_filename_database(name);
		p->base.pMethods = &wal_methods;
		pthread_mutex_lock(&registry_lock);
		for (struct layer_file *d = open_dbs; d; d = d->next)
			if (d->db_name == db_name && !d->wal) {
				d->wal = p;
				p->db = d;
				break;
			}
		pthread_mutex_unlock(&registry_lock);
	} else {
		p->base.pMethods = &other_methods;
	}
	return SQLITE_OK;
}

static int layer_delete(sqlite3_vfs *v, const char *n, int sync) { (void)v; return real_vfs->xDelete(real_vfs, n, sync); }
static int layer_access(sqlite3_vfs *v, const char *n, int fl, int *o) { (void)v; return real_vfs->xAccess(real_vfs, n, fl, o); }
static int layer_full_pathname(sqlite3_vfs *v, const char *n, int sz, char *o) { (void)v; return real_vfs->xFullPathname(real_vfs, n, sz, o); }
static void *layer_dl_open(sqlite3_vfs *v, const char *n) { (void)v; return real_vfs->xDlOpen(real_vfs, n); }
static void layer_dl_error(sqlite3_vfs *v, int n, char *o) { (void)v; real_vfs->xDlError(real_vfs, n, o); }
static void (*layer_dl_sym(sqlite3_vfs *v, void *h, const char *s))(void) { (void)v; return real_vfs->xDlSym(real_vfs, h, s); }
static void layer_dl_close(sqlite3_vfs *v, void *h) { (void)v; real_vfs->xDlClose(real_vfs, h); }
static int layer_randomness(sqlite3_vfs *v, int n, char *o) { (void)v; return real_vfs->xRandomness(real_vfs, n, o); }
static int layer_sleep(sqlite3_vfs *v, int us) { (void)v; return real_vfs->xSleep(real_vfs, us); }
static int layer_current_time(sqlite3_vfs *v, double *o) { (void)v; return real_vfs->xCurrentTime(real_vfs, o); }
static int layer_last_error(sqlite3_vfs *v, int n, char *o) { (void)v; return real_vfs->xGetLastError(real_vfs, n, o); }
static int layer_current_time64(sqlite3_vfs *v, sqlite3_int64 *o) { (void)v; return real_vfs->xCurrentTimeInt64(real_vfs, o); }

static sqlite3_vfs layer_vfs = {
	.iVersion = 2,
	.zName = "twofold-wal",
	.xOpen = layer_open,
	.xDelete = layer_delete,
	.xAccess = layer_access,
	.xFullPathname = layer_full_pathname,
	.xDlOpen = layer_dl_open,
	.xDlError = layer_dl_error,
	.xDlSym = layer_dl_sym,
	.xDlClose = layer_dl_close,
	.xRandomness = layer_randomness,
	.xSleep = layer_sleep,
	.xCurrentTime = layer_current_time,
	.xGetLastError = layer_last_error,
	.xCurrentTimeInt64 = layer_current_time64,
};

const char *sqlite_wal_vfs_register(void)
{
	sqlite3_vfs *v = sqlite3_vfs_find(NULL);
	if (!v || v->iVersion < 2) {
		log_error("SQLite's default file layer is not one twofold can wrap; using it as it is", NULL);
		return NULL;
	}
	real_vfs = v;
	layer_vfs.szOsFile = (int)sizeof(struct layer_file) + v->szOsFile;
	layer_vfs.mxPathname = v->mxPathname;
	if (sqlite3_vfs_register(&layer_vfs, 0) != SQLITE_OK) {
		log_error("cannot register twofold's SQLite file layer; using SQLite's own", NULL);
		return NULL;
	}
	return layer_vfs.zName;
}
