/* Tests of the iSCSI helpers: root-path fields, LUNs, login text keys,
 * numerical and binary values, CHAP-MD5. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <dust/crypto.h>
#include <dust/iscsi.h>
#include "unit.h"

/* rc is a (negative) error of kind E */
#define check_rc(rc, E) check(rc_is((rc), E##_K))

static int parse(const char *text, struct iscsi_root_path *rp,
		 const char **out)
{
	int rc;

	host_capture_start();
	rc = iscsi_parse_root_path(text, rp);
	*out = host_capture_stop();
	return rc;
}

UNIT_TEST(iscsi_root_path_fields)
{
	static const uint8_t lun0[8], lun1[8] = { 0, 1 };
	static const uint8_t lun_multi[8] = { 0x12, 0x34, 0, 0xab, 0, 0, 0, 7 };
	struct iscsi_root_path rp;
	const char *out;

	/* Every field empty but the server and the target. */
	check_eq(parse("iscsi:192.0.2.1::::iqn.2010-04.org.dust:disk", &rp,
		       &out), 0);
	check_str(rp.server, "192.0.2.1");
	check_eq(rp.port, 3260);
	check_mem(rp.lun, lun0, 8);
	check_str(rp.target, "iqn.2010-04.org.dust:disk");
	check_str(out, "");
	free(rp.buf);

	/* Every field set; the name keeps its colons. */
	check_eq(parse("iscsi:san.lab.test:6:3261:1:iqn.2001-04.com.example:"
		       "storage:disk1:lun", &rp, &out), 0);
	check_str(rp.server, "san.lab.test");
	check_eq(rp.port, 3261);
	check_mem(rp.lun, lun1, 8);
	check_str(rp.target, "iqn.2001-04.com.example:storage:disk1:lun");
	free(rp.buf);

	/* The scheme in capitals, a four-level LUN. */
	check_rc(parse("ISCSI:10.0.0.1::65535:1234-ab--7:t", &rp, &out),
		 EINVAL);
	check(strstr(out, "LUN field \"1234-ab--7\"") != NULL);
	check_eq(parse("ISCSI:10.0.0.1::65535:1234-ab-0-7:t", &rp, &out), 0);
	check_eq(rp.port, 65535);
	check_mem(rp.lun, lun_multi, 8);
	free(rp.buf);

	/* One colon too many: the LUN becomes part of the name. */
	check_eq(parse("iscsi:192.0.2.1:::::1:iqn.x", &rp, &out), 0);
	check_mem(rp.lun, lun0, 8);
	check_str(rp.target, ":1:iqn.x");
	free(rp.buf);
}

UNIT_TEST(iscsi_root_path_errors)
{
	struct iscsi_root_path rp;
	const char *out;

	check_rc(parse("iscsi:192.0.2.1::abc::iqn.x", &rp, &out), EINVAL);
	check(strstr(out, "root-path: port field \"abc\" is not a number"));
	check(rp.buf == NULL);
	check_rc(parse("iscsi:192.0.2.1::-5::iqn.x", &rp, &out), EINVAL);
	check(strstr(out, "port field \"-5\" is not a number"));
	check_rc(parse("iscsi:192.0.2.1::0::iqn.x", &rp, &out), EINVAL);
	check(strstr(out, "port field \"0\" is out of range"));
	check_rc(parse("iscsi:192.0.2.1::70000::iqn.x", &rp, &out), EINVAL);
	check(strstr(out, "port field \"70000\" is out of range"));
	check_rc(parse("iscsi:192.0.2.1:17:::iqn.x", &rp, &out), EINVAL);
	check(strstr(out, "protocol field \"17\": only 6 (TCP) is supported"));
	check_rc(parse("iscsi:192.0.2.1:tcp:::iqn.x", &rp, &out), EINVAL);
	check(strstr(out, "protocol field \"tcp\""));
	check_rc(parse("iscsi:192.0.2.1::::", &rp, &out), EINVAL);
	check(strstr(out, "the target name is missing"));
	check_rc(parse("iscsi:192.0.2.1:::iqn.x", &rp, &out), EINVAL);
	check(strstr(out, "too few fields (4 of 5"));
	check_rc(parse("iscsi:192.0.2.1", &rp, &out), EINVAL);
	check(strstr(out, "too few fields (1 of 5"));
	check_rc(parse("iscsi:::::iqn.x", &rp, &out), EINVAL);
	check(strstr(out, "the server field is empty"));
	check_rc(parse("iscsi:192.0.2.1:::g:iqn.x", &rp, &out), EINVAL);
	check(strstr(out, "LUN field \"g\" is not a LUN"));
	check_rc(parse("iscsi:192.0.2.1:::1-2-3-4-5:iqn.x", &rp, &out), EINVAL);
	check(strstr(out, "LUN field \"1-2-3-4-5\""));
	check_rc(parse("http://x/y", &rp, &out), EINVAL);
}

UNIT_TEST(iscsi_luns)
{
	uint8_t lun[8];
	static const uint8_t one[8] = { 0, 1 };
	static const uint8_t big[8] = { 0xff, 0xff, 0, 0, 0, 0, 0, 0x10 };

	check_eq(iscsi_parse_lun("", lun), 0);
	check_eq(lun[1], 0);
	check_eq(iscsi_parse_lun("1", lun), 0);
	check_mem(lun, one, 8);
	check_eq(iscsi_parse_lun("0001-0000-0000-0000", lun), 0);
	check_mem(lun, one, 8);
	check_eq(iscsi_parse_lun("FFFF-0-0-10", lun), 0);
	check_mem(lun, big, 8);
	check_rc(iscsi_parse_lun("10000", lun), EINVAL);
	check_rc(iscsi_parse_lun("1-", lun), EINVAL);
	check_rc(iscsi_parse_lun("-1", lun), EINVAL);
	check_rc(iscsi_parse_lun("1 ", lun), EINVAL);
}

UNIT_TEST(iscsi_text_keys)
{
	char buf[64];
	char text[] = "HeaderDigest=None\0TargetAlias=\0\0X-com.ex.k_1=a=b";
	size_t pos = 0;
	char *k, *v;

	/* Parsing: pairs, an empty value, padding NULs, '=' in values. */
	check_eq(iscsi_key_next(text, sizeof(text), &pos, &k, &v), 1);
	check_str(k, "HeaderDigest");
	check_str(v, "None");
	check_eq(iscsi_key_next(text, sizeof(text), &pos, &k, &v), 1);
	check_str(k, "TargetAlias");
	check_str(v, "");
	check_eq(iscsi_key_next(text, sizeof(text), &pos, &k, &v), 1);
	check_str(k, "X-com.ex.k_1");
	check_str(v, "a=b");
	check_eq(iscsi_key_next(text, sizeof(text), &pos, &k, &v), 0);

	/* Malformed: no terminator, no '=', empty or bad key, too long. */
	{
		char t1[] = { 'A', '=', 'b' };
		char t2[] = "Novalue\0";
		char t3[] = "=x\0";
		char t4[] = "1key=x\0";
		char t5[80];

		pos = 0;
		check_rc(iscsi_key_next(t1, sizeof(t1), &pos, &k, &v), EPROTO);
		pos = 0;
		check_rc(iscsi_key_next(t2, sizeof(t2), &pos, &k, &v), EPROTO);
		pos = 0;
		check_rc(iscsi_key_next(t3, sizeof(t3), &pos, &k, &v), EPROTO);
		pos = 0;
		check_rc(iscsi_key_next(t4, sizeof(t4), &pos, &k, &v), EPROTO);
		memset(t5, 'K', sizeof(t5));
		t5[70] = '=';
		t5[79] = 0;
		pos = 0;
		check_rc(iscsi_key_next(t5, sizeof(t5), &pos, &k, &v), EPROTO);
		t5[60] = '=';
		pos = 0;
		check_eq(iscsi_key_next(t5, sizeof(t5), &pos, &k, &v), 1);
		check_eq(strlen(k), 60);
	}

	/* Building. */
	pos = iscsi_key_add(buf, sizeof(buf), 0, "InitialR2T", "No");
	check_eq(pos, 14);
	pos = iscsi_key_add(buf, sizeof(buf), pos, "MaxBurstLength", "%u",
			    262144u);
	check_eq(pos, 14 + 22);
	check_mem(buf, "InitialR2T=No\0MaxBurstLength=262144\0", 36);
	check_eq(iscsi_key_add(buf, sizeof(buf), pos, "TargetName", "%s",
			       "iqn.2010-04.org.dust:far-too-long"),
		 sizeof(buf) + 1);
	check_eq(iscsi_key_add(buf, sizeof(buf), sizeof(buf) + 1, "A", "b"),
		 sizeof(buf) + 1);
	check_eq(iscsi_key_add(buf, 4, 0, "Abc", "d"), 5);
	check_eq(iscsi_key_add(buf, 6, 0, "Ab", "cd"), 6);
}

UNIT_TEST(iscsi_values)
{
	uint8_t bin[8];
	char hex[20];
	uint32_t n;

	check_eq(iscsi_parse_number("8192", &n), 0);
	check_eq(n, 8192);
	check_eq(iscsi_parse_number("0x2000", &n), 0);
	check_eq(n, 8192);
	check_eq(iscsi_parse_number("4294967295", &n), 0);
	check_eq(n, 4294967295u);
	check_rc(iscsi_parse_number("4294967296", &n), EINVAL);
	check_rc(iscsi_parse_number("", &n), EINVAL);
	check_rc(iscsi_parse_number("0x", &n), EINVAL);
	check_rc(iscsi_parse_number("12a", &n), EINVAL);
	check_rc(iscsi_parse_number("-1", &n), EINVAL);

	check_eq(iscsi_parse_binary("0xDEADbeef01", bin, sizeof(bin)), 5);
	check_mem(bin, "\xde\xad\xbe\xef\x01", 5);
	check_eq(iscsi_parse_binary("0x123", bin, sizeof(bin)), 2);
	check_mem(bin, "\x01\x23", 2);
	check_eq(iscsi_parse_binary("0b3q2+7wE=", bin, sizeof(bin)), 5);
	check_mem(bin, "\xde\xad\xbe\xef\x01", 5);
	check_eq(iscsi_parse_binary("0b3q2+7wE", bin, sizeof(bin)), 5);
	check_eq(iscsi_parse_binary("0bQQ==", bin, sizeof(bin)), 1);
	check_eq(bin[0], 'A');
	check_rc(iscsi_parse_binary("0bQR==", bin, sizeof(bin)), EINVAL);
	check_rc(iscsi_parse_binary("0bQ", bin, sizeof(bin)), EINVAL);
	check_rc(iscsi_parse_binary("0bQQ=A", bin, sizeof(bin)), EINVAL);
	check_rc(iscsi_parse_binary("0x", bin, sizeof(bin)), EINVAL);
	check_rc(iscsi_parse_binary("", bin, sizeof(bin)), EINVAL);
	check_rc(iscsi_parse_binary("0", bin, sizeof(bin)), EINVAL);
	check_rc(iscsi_parse_binary("0xzz", bin, sizeof(bin)), EINVAL);
	check_rc(iscsi_parse_binary("1234", bin, sizeof(bin)), EINVAL);
	check_rc(iscsi_parse_binary("0x112233445566778899", bin, sizeof(bin)),
		 EINVAL);

	iscsi_hex(hex, (const uint8_t *)"\x00\x7f\xa5", 3);
	check_str(hex, "0x007fa5");
}

UNIT_TEST(iscsi_chap_md5_vectors)
{
	uint8_t chal[16], out[16], expect[16];
	struct md5_ctx c;
	unsigned int i;

	/* Digests computed outside dust (MD5 of id, secret, challenge). */
	for (i = 0; i < 16; i++)
		chal[i] = (uint8_t)i;
	iscsi_chap_md5(0x2a, "password1234", chal, 16, out);
	check_mem(out, "\xa7\x4b\x83\xbb\xd2\x30\xc5\xc3\xc0\xea\x72\xfc\xbd"
		  "\xc9\x55\x17", 16);
	iscsi_chap_md5(0, "", chal, 0, out);
	check_mem(out, "\x93\xb8\x85\xad\xfe\x0d\xa0\x89\xcd\xf6\x34\x90\x4f"
		  "\xd5\x9f\x71", 16);
	iscsi_chap_md5(255, "target-secret",
		       (const uint8_t *)"\xde\xad\xbe\xef", 4, out);
	check_mem(out, "\x02\x4c\xb5\xd3\x6e\x94\xde\xa0\x95\xcb\xfb\x89\xbc"
		  "\x04\x03\x5a", 16);
	/* And the same construction done by hand. */
	md5_init(&c);
	md5_update(&c, "\x07", 1);
	md5_update(&c, "s3", 2);
	md5_update(&c, chal, 5);
	md5_final(&c, expect);
	iscsi_chap_md5(7, "s3", chal, 5, out);
	check_mem(out, expect, 16);
}
