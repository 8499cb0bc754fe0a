/*
 * Natives of org.dmfilemapd.jni.DmStats: a dm_stats handle and the public libdevmapper
 * region and group calls the monitor is built from.
 *
 * Crash guards: libdm indexes its region table without bounds checks in several getters
 * (dm_stats_get_region_program_id, dm_stats_get_alias, ...) and dereferences a NULL table
 * when a device has no regions. Every getter here checks dm_stats_region_present() or
 * dm_stats_group_present() first, which are bounds- and NULL-safe. The library's own
 * dm_stats_update_regions_from_fd() is never called: it crashes when the group leader is
 * replaced in a group other than 0 (spec B1); the Java RegionUpdater does that job.
 */
#include <errno.h>
#include <inttypes.h>
#include <libdevmapper.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "jni_util.h"
#include "org_dmfilemapd_jni_DmStats.h"

#define DMS(h) ((struct dm_stats *)(intptr_t)(h))
#define ROW org_dmfilemapd_jni_DmStats_REGION_ROW

JNIEXPORT jlong JNICALL Java_org_dmfilemapd_jni_DmStats_create0(JNIEnv *env, jclass cls,
								jstring program_id)
{
	int failed;
	char *prog = dmf_string_dup(env, program_id, &failed);
	struct dm_stats *dms;

	if (failed)
		return 0;
	dmf_libdm_clear_last();
	dms = dm_stats_create(prog);
	free(prog);
	if (!dms) {
		dmf_throw_dm(env, "dm_stats_create");
		return 0;
	}
	return (jlong)(intptr_t)dms;
}

JNIEXPORT void JNICALL Java_org_dmfilemapd_jni_DmStats_destroy0(JNIEnv *env, jclass cls,
								jlong h)
{
	dm_stats_destroy(DMS(h));
}

JNIEXPORT void JNICALL Java_org_dmfilemapd_jni_DmStats_bindFd0(JNIEnv *env, jclass cls, jlong h,
							       jint fd)
{
	dmf_libdm_clear_last();
	if (!dm_stats_bind_from_fd(DMS(h), fd))
		dmf_throw_dm(env, "dm_stats_bind_from_fd");
}

JNIEXPORT void JNICALL Java_org_dmfilemapd_jni_DmStats_bindDevno0(JNIEnv *env, jclass cls,
								  jlong h, jint major, jint minor)
{
	dmf_libdm_clear_last();
	if (!dm_stats_bind_devno(DMS(h), major, minor))
		dmf_throw_dm(env, "dm_stats_bind_devno");
}

JNIEXPORT jboolean JNICALL Java_org_dmfilemapd_jni_DmStats_isDmMajor0(JNIEnv *env, jclass cls,
								      jint major)
{
	return dm_is_dm_major((uint32_t)major) ? JNI_TRUE : JNI_FALSE;
}

JNIEXPORT void JNICALL Java_org_dmfilemapd_jni_DmStats_setProgramId0(JNIEnv *env, jclass cls,
								     jlong h, jstring program_id)
{
	int failed;
	char *prog = dmf_string_dup(env, program_id, &failed);

	if (failed)
		return;
	dmf_libdm_clear_last();
	if (!dm_stats_set_program_id(DMS(h), 1, prog ? prog : ""))
		dmf_throw_dm(env, "dm_stats_set_program_id");
	free(prog);
}

/*
 * The highest member id named by a DMS_GROUP tag in one @stats_list row, or -1 if the row
 * has no tag. The member list runs from the first ':' after the tag to '#' (libdm's rule).
 */
static int64_t tag_highest_member(const char *row)
{
	const char *c = strstr(row, "DMS_GROUP=");
	int64_t highest = -1;

	if (!c || !(c = strchr(c, ':')))
		return -1;
	for (c++; *c && *c != '#' && *c != ' ' && *c != '\n';) {
		char *end;
		unsigned long long v = strtoull(c, &end, 10);

		if (end == c)
			break;
		if ((int64_t)v > highest)
			highest = (int64_t)v;
		c = end;
		if (*c == ',' || *c == '-')
			c++;
	}
	return highest;
}

/* Sends a message to the device's first target; NULL on failure, with libdm's error kept. */
static struct dm_task *send_message(uint32_t major, uint32_t minor, const char *msg)
{
	struct dm_task *dmt;

	if (!(dmt = dm_task_create(DM_DEVICE_TARGET_MSG)))
		return NULL;
	if (!dm_task_set_major(dmt, major) || !dm_task_set_minor(dmt, minor) ||
	    !dm_task_set_sector(dmt, 0) || !dm_task_set_message(dmt, msg) || !dm_task_run(dmt)) {
		dm_task_destroy(dmt);
		return NULL;
	}
	return dmt;
}

/*
 * A fingerprint of a listing's text (64-bit FNV-1a): the periodic group check compares it with
 * the last listing's instead of having libdm list and parse the device again.
 */
static uint64_t listing_hash(const char *text)
{
	uint64_t h = 0xcbf29ce484222325ULL;

	for (; *text; text++) {
		h ^= (unsigned char)*text;
		h *= 0x100000001b3ULL;
	}
	return h;
}

/* Copies one line of a listing into row (truncated to fit); returns the next line. */
static const char *next_row(const char *line, char *row, size_t row_len)
{
	const char *nl = strchr(line, '\n');
	size_t n = nl ? (size_t)(nl - line) : strlen(line);

	if (n >= row_len)
		n = row_len - 1;
	memcpy(row, line, n);
	row[n] = '\0';
	return nl ? nl + 1 : line + strlen(line);
}

/*
 * libdm's list marks every member named by a group tag in its region table without checking
 * the id against the table's size: a tag naming an id above the highest listed region (its
 * member deleted by someone else without a tag rewrite) makes it write past the table and
 * corrupt the heap. Read the same listing first and refuse it then (returns 1, with why).
 * The same pass keeps each group tag as the kernel stores it (rows of "id", "tag" in *tags),
 * so that a group can be re-tagged in the stored format of whichever libdm wrote it, and the
 * listing's fingerprint in *hash (*hashed set once it was read).
 */
static int unsafe_listing(JNIEnv *env, uint32_t major, uint32_t minor, const char *prog, char *why,
			  size_t why_len, jobjectArray *tags, uint64_t *hash, int *hashed)
{
	char msg[1100], row[4096];
	const char *resp, *line;
	struct dm_task *dmt;
	int64_t last = -1, tag_region = -1, member = -1;
	int unsafe = 0;
	jsize ntags = 0, i = 0;

	*tags = NULL;
	if (snprintf(msg, sizeof(msg), "@stats_list %s", prog) >= (int)sizeof(msg))
		return 0;
	if (!(dmt = send_message(major, minor, msg)))
		return 0; /* libdm's own list will report the failure */
	if (!(resp = dm_task_get_message_response(dmt)))
		goto out;
	*hash = listing_hash(resp);
	*hashed = 1;
	for (line = resp; *line;) {
		unsigned long long id;

		line = next_row(line, row, sizeof(row));
		if (sscanf(row, "%llu:", &id) == 1 && (int64_t)id > last)
			last = (int64_t)id;
		if (strstr(row, "DMS_GROUP="))
			ntags++;
	}
	for (line = resp; *line;) {
		unsigned long long id;
		int64_t m;

		line = next_row(line, row, sizeof(row));
		if (sscanf(row, "%llu:", &id) == 1 && (m = tag_highest_member(row)) > last) {
			tag_region = (int64_t)id;
			member = m;
			unsafe = 1;
			break;
		}
	}
	if (unsafe) {
		snprintf(why, why_len,
			 "the group tag of region %" PRId64 " names region %" PRId64
			 ", beyond the last region %" PRId64
			 " (a member was deleted without updating the group); libdm would write out of bounds",
			 tag_region, member, last);
		goto out;
	}
	if (!(*tags = (*env)->NewObjectArray(env, ntags * 2, dmf_string_class(), NULL)))
		goto out; /* OutOfMemoryError pending */
	for (line = resp; *line && i < ntags * 2;) {
		unsigned long long id;
		const char *tag;
		char idtext[24];
		jstring js;

		line = next_row(line, row, sizeof(row));
		if (sscanf(row, "%llu:", &id) != 1 || !(tag = strstr(row, "DMS_GROUP=")))
			continue;
		snprintf(idtext, sizeof(idtext), "%llu", id);
		if (!(js = (*env)->NewStringUTF(env, idtext)))
			goto out;
		(*env)->SetObjectArrayElement(env, *tags, i++, js);
		(*env)->DeleteLocalRef(env, js);
		if (!(js = (*env)->NewStringUTF(env, tag)))
			goto out;
		(*env)->SetObjectArrayElement(env, *tags, i++, js);
		(*env)->DeleteLocalRef(env, js);
	}
out:
	dm_task_destroy(dmt);
	return unsafe;
}

JNIEXPORT jobjectArray JNICALL Java_org_dmfilemapd_jni_DmStats_list0(JNIEnv *env, jclass cls,
								     jlong h, jstring program_id,
								     jboolean all, jint major,
								     jint minor, jlongArray fingerprint)
{
	int failed, hashed = 0;
	char *prog = dmf_string_dup(env, program_id, &failed), why[512];
	jobjectArray tags = NULL;
	uint64_t hash = 0;

	if (failed)
		return NULL;
	if (major >= 0 && (all || prog)) {
		if (unsafe_listing(env, (uint32_t)major, (uint32_t)minor, all ? "" : prog, why,
				   sizeof(why), &tags, &hash, &hashed)) {
			dmf_throw_dm_message(env, "dm_stats_list", why);
			free(prog);
			return NULL;
		}
		if ((*env)->ExceptionCheck(env)) {
			free(prog);
			return NULL;
		}
	}
	dmf_libdm_clear_last();
	/* NULL = the handle's own program id; "" (DM_STATS_ALL_PROGRAMS) = every program */
	if (!dm_stats_list(DMS(h), all ? DM_STATS_ALL_PROGRAMS : prog)) {
		dmf_throw_dm(env, "dm_stats_list");
	} else {
		/* { 1, hash } when the guard read the listing, else { 0, 0 } (never "unchanged") */
		jlong fp[2] = { hashed, (jlong)hash };

		(*env)->SetLongArrayRegion(env, fingerprint, 0, 2, fp);
	}
	free(prog);
	return tags;
}

JNIEXPORT jlong JNICALL Java_org_dmfilemapd_jni_DmStats_listingHash0(JNIEnv *env, jclass cls,
								     jint major, jint minor,
								     jstring program_id)
{
	int failed;
	char *prog = dmf_string_dup(env, program_id, &failed), msg[1100];
	struct dm_task *dmt;
	const char *resp;
	jlong hash = 0;

	if (failed)
		return 0;
	if (snprintf(msg, sizeof(msg), "@stats_list %s", prog ? prog : "") >= (int)sizeof(msg)) {
		free(prog);
		dmf_throw_dm_message(env, "dm_stats_list", "program id too long");
		return 0;
	}
	free(prog);
	dmf_libdm_clear_last();
	if (!(dmt = send_message((uint32_t)major, (uint32_t)minor, msg))) {
		dmf_throw_dm(env, "dm_task_run(@stats_list)");
		return 0;
	}
	resp = dm_task_get_message_response(dmt);
	hash = (jlong)listing_hash(resp ? resp : "");
	dm_task_destroy(dmt);
	return hash;
}

JNIEXPORT jstring JNICALL Java_org_dmfilemapd_jni_DmStats_message0(JNIEnv *env, jclass cls,
								   jint major, jint minor,
								   jstring message)
{
	int failed;
	char *msg = dmf_string_dup(env, message, &failed);
	struct dm_task *dmt;
	const char *resp;
	jstring result = NULL;

	if (failed || !msg) {
		free(msg);
		return NULL;
	}
	dmf_libdm_clear_last();
	if (!(dmt = send_message((uint32_t)major, (uint32_t)minor, msg))) {
		dmf_throw_dm(env, "dm_task_run(message)");
	} else {
		resp = dm_task_get_message_response(dmt);
		result = (*env)->NewStringUTF(env, resp ? resp : "");
		dm_task_destroy(dmt);
	}
	free(msg);
	return result;
}

JNIEXPORT jboolean JNICALL Java_org_dmfilemapd_jni_DmStats_regionPresent0(JNIEnv *env, jclass cls,
									  jlong h, jlong id)
{
	return dm_stats_region_present(DMS(h), (uint64_t)id) ? JNI_TRUE : JNI_FALSE;
}

JNIEXPORT jboolean JNICALL Java_org_dmfilemapd_jni_DmStats_groupPresent0(JNIEnv *env, jclass cls,
									 jlong h, jlong id)
{
	/* NULL- and bounds-safe in every libdm version (checks regions and max_region) */
	return dm_stats_group_present(DMS(h), (uint64_t)id) ? JNI_TRUE : JNI_FALSE;
}

/* Every listed region as rows of (id, start, len, group id or -1), in id order. */
JNIEXPORT jlongArray JNICALL Java_org_dmfilemapd_jni_DmStats_regions0(JNIEnv *env, jclass cls,
								      jlong h)
{
	struct dm_stats *dms = DMS(h);
	uint64_t nr = dm_stats_get_nr_regions(dms), found = 0, id;
	jlong *rows;
	jlongArray result;

	if (!nr)
		return (*env)->NewLongArray(env, 0);
	if (!(rows = calloc(nr * ROW, sizeof(jlong)))) {
		dmf_throw_oom(env, "region rows");
		return NULL;
	}
	/*
	 * Ids are dense-ish (the kernel hands out the lowest free one); walk them until every
	 * listed region was seen. region_present() is false past max_region, so the bound
	 * below only matters for a handle that lies about its count.
	 */
	for (id = 0; found < nr && id < nr + (1u << 20); id++) {
		uint64_t start = 0, len = 0, group;

		if (!dm_stats_region_present(dms, id))
			continue;
		dm_stats_get_region_start(dms, &start, id);
		dm_stats_get_region_len(dms, &len, id);
		group = dm_stats_get_group_id(dms, id);
		rows[found * ROW + 0] = (jlong)id;
		rows[found * ROW + 1] = (jlong)start;
		rows[found * ROW + 2] = (jlong)len;
		rows[found * ROW + 3] = group == DM_STATS_GROUP_NONE ? -1 : (jlong)group;
		found++;
	}
	if ((result = (*env)->NewLongArray(env, (jsize)(found * ROW))))
		(*env)->SetLongArrayRegion(env, result, 0, (jsize)(found * ROW), rows);
	free(rows);
	return result;
}

JNIEXPORT jstring JNICALL Java_org_dmfilemapd_jni_DmStats_regionProgramId0(JNIEnv *env,
									   jclass cls, jlong h,
									   jlong id)
{
	const char *prog;

	if (!dm_stats_region_present(DMS(h), (uint64_t)id))
		return NULL;
	prog = dm_stats_get_region_program_id(DMS(h), (uint64_t)id);
	return prog ? (*env)->NewStringUTF(env, prog) : NULL;
}

JNIEXPORT jstring JNICALL Java_org_dmfilemapd_jni_DmStats_regionAuxData0(JNIEnv *env,
									 jclass cls, jlong h,
									 jlong id)
{
	const char *aux;

	if (!dm_stats_region_present(DMS(h), (uint64_t)id))
		return NULL;
	aux = dm_stats_get_region_aux_data(DMS(h), (uint64_t)id);
	return aux ? (*env)->NewStringUTF(env, aux) : NULL;
}

JNIEXPORT jboolean JNICALL Java_org_dmfilemapd_jni_DmStats_regionPrecise0(JNIEnv *env, jclass cls,
									  jlong h, jlong id)
{
	if (!dm_stats_region_present(DMS(h), (uint64_t)id))
		return JNI_FALSE;
	return dm_stats_get_region_precise_timestamps(DMS(h), (uint64_t)id) ? JNI_TRUE : JNI_FALSE;
}

/*
 * The region's histogram bounds in ns, without the implicit last bin. (A listed histogram
 * has one bin more than bounds, ending at UINT64_MAX; copying that back as a bound is the
 * libdm update bug that gives new members an extra bound.)
 */
JNIEXPORT jlongArray JNICALL Java_org_dmfilemapd_jni_DmStats_regionBounds0(JNIEnv *env,
									   jclass cls, jlong h,
									   jlong id)
{
	struct dm_histogram *hist;
	jlongArray result;
	int bins, i;

	if (!dm_stats_region_present(DMS(h), (uint64_t)id) ||
	    !dm_stats_get_region_nr_histogram_bins(DMS(h), (uint64_t)id) ||
	    !(hist = dm_stats_get_histogram(DMS(h), (uint64_t)id, 0)))
		return (*env)->NewLongArray(env, 0);
	bins = dm_histogram_get_nr_bins(hist);
	if (!(result = (*env)->NewLongArray(env, bins > 1 ? bins - 1 : 0)))
		return NULL;
	for (i = 0; i < bins - 1; i++) {
		jlong upper = (jlong)dm_histogram_get_bin_upper(hist, i);

		(*env)->SetLongArrayRegion(env, result, i, 1, &upper);
	}
	return result;
}

JNIEXPORT jstring JNICALL Java_org_dmfilemapd_jni_DmStats_groupAlias0(JNIEnv *env, jclass cls,
								      jlong h, jlong group_id)
{
	const char *alias;

	if (!dm_stats_group_present(DMS(h), (uint64_t)group_id))
		return NULL;
	alias = dm_stats_get_alias(DMS(h), (uint64_t)group_id);
	return alias ? (*env)->NewStringUTF(env, alias) : NULL;
}

static struct dm_histogram *bounds_from_java(JNIEnv *env, jlongArray bounds, int *failed)
{
	jsize n = bounds ? (*env)->GetArrayLength(env, bounds) : 0;
	uint64_t *values;
	struct dm_histogram *hist;

	*failed = 0;
	if (!n)
		return NULL;
	if (!(values = calloc((size_t)n + 1, sizeof(*values)))) {
		*failed = 1;
		dmf_throw_oom(env, "histogram bounds");
		return NULL;
	}
	(*env)->GetLongArrayRegion(env, bounds, 0, n, (jlong *)values);
	values[n] = 0; /* terminator */
	dmf_libdm_clear_last();
	if (!(hist = dm_histogram_bounds_from_uint64(values))) {
		*failed = 1;
		dmf_throw_dm(env, "dm_histogram_bounds_from_uint64");
	}
	free(values);
	return hist;
}

JNIEXPORT jlong JNICALL Java_org_dmfilemapd_jni_DmStats_createRegion0(
	JNIEnv *env, jclass cls, jlong h, jlong start, jlong len, jboolean precise,
	jlongArray bounds, jstring program_id, jstring aux_data)
{
	int failed;
	struct dm_histogram *hist = bounds_from_java(env, bounds, &failed);
	char *prog = NULL, *aux = NULL;
	uint64_t id = 0;
	jlong result = -1;

	if (failed)
		return -1;
	prog = dmf_string_dup(env, program_id, &failed);
	if (failed)
		goto out;
	aux = dmf_string_dup(env, aux_data, &failed);
	if (failed)
		goto out;
	dmf_libdm_clear_last();
	/* step -1: one area covering the whole region, as filemap regions have */
	if (!dm_stats_create_region(DMS(h), &id, (uint64_t)start, (uint64_t)len, -1, precise,
				    hist, prog ? prog : "", aux ? aux : ""))
		dmf_throw_dm(env, "dm_stats_create_region");
	else
		result = (jlong)id;
out:
	free(prog);
	free(aux);
	if (hist)
		dm_histogram_bounds_destroy(hist);
	return result;
}

JNIEXPORT void JNICALL Java_org_dmfilemapd_jni_DmStats_deleteRegion0(JNIEnv *env, jclass cls,
								     jlong h, jlong id)
{
	dmf_libdm_clear_last();
	uint64_t group;

	if (!dm_stats_region_present(DMS(h), (uint64_t)id)) {
		dmf_throw_illegal_argument(env, "region not present in the last listing");
		return;
	}
	/*
	 * After dm_stats_delete_group(..., 0) libdm leaves the non-leader members linked to the
	 * destroyed group; deleting one then dereferences the group's NULL member set.
	 */
	group = dm_stats_get_group_id(DMS(h), (uint64_t)id);
	if (group != DM_STATS_GROUP_NONE && !dm_stats_group_present(DMS(h), group)) {
		dmf_throw_illegal_argument(env, "region belongs to a group removed since the last listing");
		return;
	}
	if (!dm_stats_delete_region(DMS(h), (uint64_t)id))
		dmf_throw_dm(env, "dm_stats_delete_region");
}

JNIEXPORT jlong JNICALL Java_org_dmfilemapd_jni_DmStats_createGroup0(JNIEnv *env, jclass cls,
								     jlong h, jstring members,
								     jstring alias)
{
	int failed;
	char *list = dmf_string_dup(env, members, &failed), *name;
	uint64_t group_id = 0;
	jlong result = -1;

	if (failed)
		return -1;
	name = dmf_string_dup(env, alias, &failed);
	if (!failed) {
		dmf_libdm_clear_last();
		if (!dm_stats_create_group(DMS(h), list, name, &group_id))
			dmf_throw_dm(env, "dm_stats_create_group");
		else
			result = (jlong)group_id;
	}
	free(list);
	free(name);
	return result;
}

JNIEXPORT void JNICALL Java_org_dmfilemapd_jni_DmStats_deleteGroup0(JNIEnv *env, jclass cls,
								    jlong h, jlong group_id,
								    jboolean remove_regions)
{
	dmf_libdm_clear_last();
	if (!dm_stats_group_present(DMS(h), (uint64_t)group_id)) {
		dmf_throw_illegal_argument(env, "group not present in the last listing");
		return;
	}
	if (!dm_stats_delete_group(DMS(h), (uint64_t)group_id, remove_regions))
		dmf_throw_dm(env, "dm_stats_delete_group");
}

JNIEXPORT jlongArray JNICALL Java_org_dmfilemapd_jni_DmStats_createRegionsFromFd0(
	JNIEnv *env, jclass cls, jlong h, jint fd, jboolean group, jboolean precise,
	jlongArray bounds, jstring alias)
{
	int failed;
	struct dm_histogram *hist = bounds_from_java(env, bounds, &failed);
	char *name = NULL;
	uint64_t *ids, n = 0;
	jlongArray result = NULL;

	if (failed)
		return NULL;
	name = dmf_string_dup(env, alias, &failed);
	if (failed)
		goto out;
	dmf_libdm_clear_last();
	if (!(ids = dm_stats_create_regions_from_fd(DMS(h), fd, group, precise, hist, name))) {
		dmf_throw_dm(env, "dm_stats_create_regions_from_fd");
		goto out;
	}
	while (ids[n] != DM_STATS_REGIONS_ALL)
		n++;
	if ((result = (*env)->NewLongArray(env, (jsize)n)) && n)
		(*env)->SetLongArrayRegion(env, result, 0, (jsize)n, (const jlong *)ids);
	dm_free(ids);
out:
	free(name);
	if (hist)
		dm_histogram_bounds_destroy(hist);
	return result;
}
