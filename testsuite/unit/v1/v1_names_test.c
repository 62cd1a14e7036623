/*
 * v1_names_test.c - every IKEv1 name equals the project's IANA table
 * (../shared/vectors/iana/ike-registries.tsv), registry by registry.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testsuite/lib/tap.h"
#include "testsuite/lib/vec.h"
#include "v1/v1_names.h"

struct registry {
	const char *name;
	const char *(*fn)(unsigned);
	bool strip_bv; /* attribute classes carry " (B)" / " (V)" in the table */
	unsigned max;  /* rows above this value are not ours (0: all) */
};

int main(void)
{
	static const struct registry regs[] = {
		{ "isakmp.exchange_type", v1_exch_name, false, 0 },
		{ "isakmp.payload_type", v1_payload_name, false, 0 },
		{ "isakmp.notify", v1_notify_name, false, 0 },
		{ "isakmp.doi", v1_doi_name, false, 0 },
		{ "isakmp.protocol_id", v1_protocol_name, false, 4 },
		{ "isakmp.cert_encoding", v1_cert_encoding_name, false, 0 },
		{ "ipsec.id_type", v1_id_type_name, false, 11 },
		{ "ipsec.encapsulation_mode", v1_encap_name, false, 0 },
		{ "ike.attribute_class", v1_ike_attr_name, true, 0 },
		{ "ipsec.sa_attribute_class", v1_ipsec_attr_name, true, 9 },
	};
	char path[1200], line[512];
	unsigned counted[sizeof(regs) / sizeof(regs[0])] = { 0 };
	FILE *f;

	if (!vec_dir())
		return tap_skip_all("no vectors folder (../shared/vectors or $DUALIKE_VECTORS)");
	snprintf(path, sizeof(path), "%s/iana/ike-registries.tsv", vec_dir());
	if (!(f = fopen(path, "r")))
		return tap_skip_all("no iana/ike-registries.tsv");
	while (fgets(line, sizeof(line), f)) {
		char *reg = strtok(line, "\t"), *val = strtok(NULL, "\t"), *name = strtok(NULL, "\t\n");

		if (!reg || !val || !name || reg[0] == '#')
			continue;
		for (size_t i = 0; i < sizeof(regs) / sizeof(regs[0]); i++) {
			unsigned v = (unsigned)strtoul(val, NULL, 10);
			char want[200];
			size_t len;

			if (strcmp(reg, regs[i].name) != 0 || (regs[i].max && v > regs[i].max))
				continue;
			snprintf(want, sizeof(want), "%s", name);
			len = strlen(want);
			if (regs[i].strip_bv && len > 4 && want[len - 1] == ')' && want[len - 3] == '(')
				want[len - 3] = '\0';
			len = strlen(want);
			while (len && want[len - 1] == ' ')
				want[--len] = '\0';
			tap_eq_str(regs[i].fn(v), want, "%s %u", reg, v);
			counted[i]++;
		}
	}
	fclose(f);
	for (size_t i = 0; i < sizeof(regs) / sizeof(regs[0]); i++)
		tap_ok(counted[i] > 0, "%s: %u rows compared", regs[i].name, counted[i]);
	tap_eq_str(v1_notify_name(9999), "UNKNOWN", "an unassigned notify is UNKNOWN, not NULL");
	tap_eq_str(v1_auth_method_name(V1_AUTH_PSK), "Pre-shared key", "auth method 1");
	return tap_done();
}
