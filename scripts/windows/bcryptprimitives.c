/*
 * bcryptprimitives.dll for Wine 8, which lacks it: Go programs (1.22 and
 * later) load it at start for ProcessPrng, the random source of Windows 10,
 * and exit at once without it. This one answers with RtlGenRandom
 * (advapi32's SystemFunction036), which Wine 8 has. It is built by
 * scripts/windows/wine.sh into a throwaway Wine prefix for the Windows test
 * lane (make test-windows) only; it is never shipped, since every Windows
 * that Go supports has its own.
 */
#include <windows.h>

/* ntsecapi.h's RtlGenRandom, declared here to need nothing else. */
BOOLEAN WINAPI SystemFunction036(PVOID buffer, ULONG length);

/* RtlGenRandom takes a ULONG: ask for at most 1 GiB at a time. */
#define CHUNK ((SIZE_T)1 << 30)

__declspec(dllexport) BOOL WINAPI ProcessPrng(PBYTE data, SIZE_T len)
{
	while (len > 0) {
		ULONG n = (ULONG)(len < CHUNK ? len : CHUNK);
		if (!SystemFunction036(data, n))
			return FALSE;
		data += n;
		len -= n;
	}
	return TRUE;
}
