/* cli/plot.c — `lparsim plot` end to end (see plot.h): query the data,
 * write FILE.dat and FILE.gp (fig.png.gp: each figure its own script, so
 * fig.png and fig.svg never share one), run gnuplot, embed provenance.
 *
 * Nothing half-written is ever visible under a final name: the .dat and
 * .gp are written to hidden temporary names and renamed, and gnuplot
 * renders into a fresh hidden directory beside FILE (the script's
 * `outdir`), from which the finished figure is renamed into place. A
 * rename within one directory is atomic, so a reader (a LaTeX build, a
 * viewer) sees the old figure or the new one, never a torn file. The
 * render directory also keeps cairolatex's \includegraphics reference
 * bare ("fig"), because gnuplot writes the output name as given. */
#define _XOPEN_SOURCE 700 /* realpath, mkdtemp */
#include "cli/plot_internal.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <spawn.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cli/run.h"

extern char **environ;

/* ---- names ---- */

struct paths {
    char dir[PLOT_PATH_MAX];      /* directory of FILE as given ("." if none) */
    char dir_abs[PLOT_PATH_MAX];
    char figure[PLOT_PATH_MAX];   /* basenames */
    char stem[PLOT_PATH_MAX];
    char script[PLOT_PATH_MAX + 8];
    char data[PLOT_PATH_MAX + 8];
    char graphics[PLOT_PATH_MAX + 8]; /* .tex: the PDF cairolatex writes beside it */
    enum plot_format fmt;
};

static int parse_out_path(const char *out, struct paths *p, struct diag *err)
{
    static const struct { const char *ext; enum plot_format fmt; } fmts[] = {
        { ".pdf", FMT_PDF }, { ".png", FMT_PNG }, { ".svg", FMT_SVG }, { ".tex", FMT_TEX },
    };
    memset(p, 0, sizeof p[0]);
    for (const char *c = out; *c; c++)
        if ((unsigned char)*c < 0x20)
            return plot_fail(err, "output name contains a control character");
    const char *slash = strrchr(out, '/');
    const char *base = slash ? slash + 1 : out;
    const char *dot = strrchr(base, '.');
    if (strlen(out) + 16 >= PLOT_PATH_MAX)
        return plot_fail(err, "output path too long");
    size_t i = 0;
    for (; dot && i < sizeof fmts / sizeof fmts[0]; i++)
        if (strcasecmp(dot, fmts[i].ext) == 0)
            break;
    if (!dot || i == sizeof fmts / sizeof fmts[0])
        return plot_fail(err, "cannot tell the figure format of '%s' (use .pdf, .png, .svg"
                         " or .tex)", out);
    if (dot == base)
        return plot_fail(err, "output '%s' has no name before the extension", out);
    p->fmt = fmts[i].fmt;
    if (slash)
        snprintf(p->dir, sizeof p->dir, "%.*s", slash == out ? 1 : (int)(slash - out), out);
    else
        snprintf(p->dir, sizeof p->dir, ".");
    snprintf(p->figure, sizeof p->figure, "%s", base);
    snprintf(p->stem, sizeof p->stem, "%.*s", (int)(dot - base), base);
    /* named after the whole figure name: p99.png and p99.svg keep their own */
    snprintf(p->script, sizeof p->script, "%s.gp", base);
    snprintf(p->data, sizeof p->data, "%s.dat", base);
    snprintf(p->graphics, sizeof p->graphics, "%s.pdf", p->stem);
    return 0;
}

/* mkdir -p, so `-o figs/lat.pdf` works in a fresh checkout. */
static int make_dirs(const char *dir, struct diag *err)
{
    char buf[PLOT_PATH_MAX];
    snprintf(buf, sizeof buf, "%s", dir);
    for (char *p = buf + 1;; p++) {
        if (*p != '/' && *p != '\0')
            continue;
        char c = *p;
        *p = '\0';
        if (mkdir(buf, 0777) != 0 && errno != EEXIST)
            return plot_fail(err, "cannot create directory %s: %s", buf, strerror(errno));
        *p = c;
        if (!c)
            return 0;
    }
}

static void join(char *out, size_t n, const char *dir, const char *base)
{
    plot_fmt(out, n, "%s/%s", dir, base);
}

/* ---- provenance ---- */

/* SHA-256 of the database file's bytes, mapped rather than read: results
 * databases of sweeps can be large. */
static int file_sha256(const char *path, char out[65], struct diag *err)
{
    int fd = open(path, O_RDONLY);
    struct stat sb;
    if (fd < 0 || fstat(fd, &sb) != 0) {
        if (fd >= 0)
            close(fd);
        return plot_fail(err, "%s: %s", path, strerror(errno));
    }
    void *p = sb.st_size ? mmap(NULL, (size_t)sb.st_size, PROT_READ, MAP_PRIVATE, fd, 0) : NULL;
    close(fd);
    if (p == MAP_FAILED)
        return plot_fail(err, "%s: cannot map: %s", path, strerror(errno));
    sha256_hex(p ? p : "", (size_t)sb.st_size, out);
    if (p)
        munmap(p, (size_t)sb.st_size);
    return 0;
}

static bool has_wal(const char *db)
{
    char wal[PLOT_PATH_MAX + 8];
    struct stat sb;
    snprintf(wal, sizeof wal, "%s-wal", db);
    return stat(wal, &sb) == 0 && sb.st_size > 0;
}

struct prov_store {
    char cwd[PLOT_PATH_MAX], db_abs[PLOT_PATH_MAX], sha[65], created[32];
    char script_abs[PLOT_PATH_MAX * 2];
};

static int provenance(const struct plot_request *rq, const struct paths *p,
                      struct prov_store *s, struct plot_provenance *pv, struct diag *err)
{
    if (!getcwd(s->cwd, sizeof s->cwd))
        snprintf(s->cwd, sizeof s->cwd, "?");
    if (!realpath(rq->db_path, s->db_abs))
        snprintf(s->db_abs, sizeof s->db_abs, "%s", rq->db_path);
    time_t now = time(NULL);
    struct tm tm;
    gmtime_r(&now, &tm);
    strftime(s->created, sizeof s->created, "%Y-%m-%dT%H:%M:%SZ", &tm);
    join(s->script_abs, sizeof s->script_abs, p->dir_abs, p->script);
    *pv = (struct plot_provenance){
        .version = LPARSIM_VERSION, .command_line = rq->command_line, .cwd = s->cwd,
        .db_abs = s->db_abs, .db_sha256 = s->sha, .db_has_wal = has_wal(s->db_abs),
        .created = s->created, .script_abs = s->script_abs,
    };
    return file_sha256(rq->db_path, s->sha, err);
}

/* The text embedded in the figure's metadata. */
static char *provenance_text(const struct plot_data *pd, const struct plot_provenance *pv)
{
    char runs[1024], *text = NULL;
    size_t len = 0;
    plot_format_runs(pd->run_ids, pd->nrun_ids, runs, sizeof runs);
    FILE *f = open_memstream(&text, &len);
    if (!f)
        return NULL;
    fprintf(f, "lparsim %s plot: %s\ncommand: %s\ndatabase: %s\ndatabase sha256: %s\n"
               "runs: %s\nscript: %s\ncreated: %s",
            pv->version, pd->what, pv->command_line, pv->db_abs, pv->db_sha256, runs,
            pv->script_abs, pv->created);
    fclose(f);
    return text;
}

/* ---- writing files atomically ---- */

typedef int (*writer_fn)(FILE *f, const void *ctx);

static int write_atomic(const char *dir, const char *base, writer_fn fn, const void *ctx,
                        struct diag *err)
{
    char final[PLOT_PATH_MAX * 2], tmp[PLOT_PATH_MAX * 2 + 32];
    join(final, sizeof final, dir, base);
    snprintf(tmp, sizeof tmp, "%s/.%s.tmp-%ld", dir, base, (long)getpid());
    FILE *f = fopen(tmp, "w");
    if (!f)
        return plot_fail(err, "cannot write %s: %s", final, strerror(errno));
    int e = fn(f, ctx);
    if (fclose(f) != 0)
        e = -1;
    if (e || rename(tmp, final) != 0) {
        int saved = errno;
        unlink(tmp);
        return plot_fail(err, "cannot write %s: %s", final, strerror(e ? EIO : saved));
    }
    return 0;
}

struct script_ctx {
    const struct plot_request *rq;
    const struct plot_data *pd;
    const struct plot_names *nm;
    const struct plot_provenance *pv;
};

static int write_script_cb(FILE *f, const void *ctx)
{
    const struct script_ctx *c = ctx;
    return plot_write_script(f, c->rq, c->pd, c->nm, c->pv);
}

static int write_data_cb(FILE *f, const void *ctx)
{
    const struct script_ctx *c = ctx;
    return plot_write_data(f, c->pd, c->pv);
}

/* ---- rendering ---- */

static void remove_tree(const char *dir)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    while (d && (e = readdir(d))) {
        char path[PLOT_PATH_MAX * 2 + 300];
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        unlink(path);
    }
    if (d)
        closedir(d);
    rmdir(dir);
}

/* Runs `gnuplot -e "outdir='TMP'" SCRIPT` with stdin from /dev/null. */
static enum plot_status run_gnuplot(const char *tmpdir, const char *script, struct diag *err)
{
    const char *prog = getenv("LPARSIM_GNUPLOT");
    if (!prog || !*prog)
        prog = "gnuplot";
    char set[PLOT_PATH_MAX * 2 + 16], q[PLOT_PATH_MAX * 2];
    snprintf(set, sizeof set, "outdir='%s'", plot_gp_str(tmpdir, false, q, sizeof q));
    char *argv[] = { (char *)prog, "-e", set, (char *)script, NULL };
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
    pid_t pid;
    int rc = posix_spawnp(&pid, prog, &fa, NULL, argv, environ);
    posix_spawn_file_actions_destroy(&fa);
    if (rc != 0) {
        plot_fail(err, rc == ENOENT ? "%s not found: install gnuplot (e.g. apt-get install"
                                      " gnuplot-nox) or set LPARSIM_GNUPLOT; the script %s"
                                      " is written, run gnuplot on it to make the figure"
                                    : "cannot run %s: %s",
                  prog, rc == ENOENT ? script : strerror(rc));
        return PLOT_RENDER_FAILED;
    }
    int status;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
        ;
    if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
        return PLOT_OK;
    plot_fail(err, "gnuplot failed on %s (%s %d; its messages are above)", script,
              WIFEXITED(status) ? "exit status" : "signal",
              WIFEXITED(status) ? WEXITSTATUS(status) : WTERMSIG(status));
    return PLOT_RENDER_FAILED;
}

static bool nonempty(const char *path)
{
    struct stat sb;
    return stat(path, &sb) == 0 && S_ISREG(sb.st_mode) && sb.st_size > 0;
}

/* Embeds the metadata and renames the rendered file(s) into place: the
 * graphics PDF of a .tex before the .tex that includes it. */
static enum plot_status publish(const char *tmpdir, const struct paths *p, const char *what,
                                const char *text, bool *metadata, struct diag *err)
{
    char src[PLOT_PATH_MAX * 3], dst[PLOT_PATH_MAX * 2];
    const char *files[2] = { p->figure, NULL };
    if (p->fmt == FMT_TEX) {
        files[0] = p->graphics;
        files[1] = p->figure;
    }
    *metadata = true;
    for (int i = 0; i < 2 && files[i]; i++) {
        join(src, sizeof src, tmpdir, files[i]);
        join(dst, sizeof dst, p->dir, files[i]);
        if (!nonempty(src)) {
            plot_fail(err, "gnuplot wrote no %s", dst);
            return PLOT_RENDER_FAILED;
        }
        enum plot_format fmt = p->fmt == FMT_TEX && i == 0 ? FMT_PDF : p->fmt;
        *metadata = plot_embed_metadata(src, fmt, what, text) && *metadata;
        if (rename(src, dst) != 0) {
            plot_fail(err, "cannot write %s: %s", dst, strerror(errno));
            return PLOT_RENDER_FAILED;
        }
    }
    return PLOT_OK;
}

static enum plot_status render(const struct paths *p, const char *script_abs,
                               const struct plot_data *pd, const struct plot_provenance *pv,
                               bool *metadata, struct diag *err)
{
    char tmpdir[PLOT_PATH_MAX * 2 + 32];
    snprintf(tmpdir, sizeof tmpdir, "%s/.%s.render-XXXXXX", p->dir_abs, p->stem);
    if (!mkdtemp(tmpdir)) {
        plot_fail(err, "cannot create a directory in %s: %s", p->dir, strerror(errno));
        return PLOT_RENDER_FAILED;
    }
    enum plot_status st = run_gnuplot(tmpdir, script_abs, err);
    char *text = st == PLOT_OK ? provenance_text(pd, pv) : NULL;
    if (st == PLOT_OK)
        st = publish(tmpdir, p, pd->what, text ? text : pd->what, metadata, err);
    free(text);
    remove_tree(tmpdir);
    return st;
}

/* ---- entry ---- */

static void fill_files(struct plot_files *files, const struct paths *p)
{
    bool here = strcmp(p->dir, ".") == 0;
    plot_fmt(files->figure, sizeof files->figure, "%s%s%s", here ? "" : p->dir,
             here ? "" : "/", p->figure);
    plot_fmt(files->script, sizeof files->script, "%s%s%s", here ? "" : p->dir,
             here ? "" : "/", p->script);
    plot_fmt(files->data, sizeof files->data, "%s%s%s", here ? "" : p->dir,
             here ? "" : "/", p->data);
}

static enum plot_status write_and_render(const struct plot_request *rq, struct paths *p,
                                         const struct plot_data *pd, struct plot_files *files,
                                         struct diag *err)
{
    struct prov_store store;
    struct plot_provenance pv;
    if (make_dirs(p->dir, err))
        return PLOT_BAD_INPUT;
    if (!realpath(p->dir, p->dir_abs)) {
        plot_fail(err, "%s: %s", p->dir, strerror(errno));
        return PLOT_BAD_INPUT;
    }
    if (provenance(rq, p, &store, &pv, err))
        return PLOT_BAD_INPUT;
    struct plot_names nm = { p->fmt, p->dir_abs, p->figure, p->script, p->data };
    struct script_ctx ctx = { rq, pd, &nm, &pv };
    fill_files(files, p);
    if (write_atomic(p->dir, p->data, write_data_cb, &ctx, err) ||
        write_atomic(p->dir, p->script, write_script_cb, &ctx, err))
        return PLOT_BAD_INPUT;
    if (rq->script_only)
        return PLOT_OK;
    return render(p, store.script_abs, pd, &pv, &files->metadata, err);
}

enum plot_status plot_make(const struct plot_request *rq, struct plot_files *files,
                           struct diag *err)
{
    struct paths p;
    struct plot_data pd = { 0 };
    struct plot_db q;
    memset(files, 0, sizeof *files);
    err->msg[0] = '\0';
    if (parse_out_path(rq->out_path, &p, err) || plot_db_open(&q, rq->db_path, &pd, err))
        return PLOT_BAD_INPUT;
    int e = plot_build(rq, &q, &pd);
    plot_db_close(&q);
    enum plot_status st = e ? PLOT_BAD_INPUT : write_and_render(rq, &p, &pd, files, err);
    plot_data_free(&pd);
    return st;
}
