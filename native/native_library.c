/* Natives of org.dmfilemapd.jni.NativeLibrary: version handshake and log threshold. */
#include <libdevmapper.h>

#include "jni_util.h"
#include "org_dmfilemapd_jni_NativeLibrary.h"

JNIEXPORT jint JNICALL Java_org_dmfilemapd_jni_NativeLibrary_abiVersion0(JNIEnv *env, jclass cls)
{
	return org_dmfilemapd_jni_NativeLibrary_ABI_VERSION;
}

JNIEXPORT jstring JNICALL Java_org_dmfilemapd_jni_NativeLibrary_libdmVersion0(JNIEnv *env,
									    jclass cls)
{
	char version[80];

	if (!dm_get_library_version(version, sizeof(version)))
		return NULL;
	return (*env)->NewStringUTF(env, version);
}

JNIEXPORT void JNICALL Java_org_dmfilemapd_jni_NativeLibrary_setLibdmLogThreshold0(JNIEnv *env,
										  jclass cls,
										  jint level)
{
	dmf_libdm_set_threshold(level);
}
