/* sqlite_commits.c: the SQLite ceiling for bench/run: single-row UPDATE commits per second in
 * WAL mode, one autocommit transaction each, on a table of 100,000 rows, with the same
 * synchronous setting twofold runs with. usage: sqlite_commits DB NORMAL|FULL THREADS SECONDS */
#include <pthread.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static const char *path, *sync_mode;
static double seconds;

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void *run(void *arg)
{
	long *count = arg;
	sqlite3 *db;
	sqlite3_stmt *s;
	char pragma[128];
	sqlite3_open(path, &db);
	sqlite3_busy_timeout(db, 5000);
	snprintf(pragma, sizeof pragma, "PRAGMA journal_mode=WAL; PRAGMA synchronous=%s;", sync_mode);
	sqlite3_exec(db, pragma, NULL, NULL, NULL);
	sqlite3_prepare_v2(db, "UPDATE rows SET counter = counter + 1, updated_at = ? WHERE id = ?", -1, &s, NULL);
	unsigned seed = (unsigned)(size_t)arg;
	double end = now() + seconds;
	while (now() < end) {
		sqlite3_bind_int64(s, 1, (sqlite3_int64)time(NULL));
		sqlite3_bind_int(s, 2, (int)(rand_r(&seed) % 100000) + 1);
		if (sqlite3_step(s) == SQLITE_DONE)
			(*count)++;
		sqlite3_reset(s);
	}
	sqlite3_finalize(s);
	sqlite3_close(db);
	return NULL;
}

int main(int argc, char **argv)
{
	if (argc != 5) {
		fprintf(stderr, "usage: %s DB NORMAL|FULL THREADS SECONDS\n", argv[0]);
		return 2;
	}
	path = argv[1];
	sync_mode = argv[2];
	int threads = (int)strtol(argv[3], NULL, 10);
	seconds = strtod(argv[4], NULL);
	sqlite3 *db;
	sqlite3_open(path, &db);
	sqlite3_exec(db, "PRAGMA journal_mode=WAL; DROP TABLE IF EXISTS rows;"
			 "CREATE TABLE rows (id INTEGER PRIMARY KEY, counter INTEGER, updated_at INTEGER);"
			 "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 100000) "
			 "INSERT INTO rows SELECT i, 0, 0 FROM n;",
		     NULL, NULL, NULL);
	sqlite3_close(db);
	pthread_t t[16];
	long counts[16] = {0};
	if (threads < 1 || threads > 16)
		threads = 1;
	double start = now();
	for (int i = 0; i < threads; i++)
		pthread_create(&t[i], NULL, run, &counts[i]);
	long total = 0;
	for (int i = 0; i < threads; i++) {
		pthread_join(t[i], NULL);
		total += counts[i];
	}
	printf("%.0f\n", (double)total / (now() - start));
	return 0;
}
