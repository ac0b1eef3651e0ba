/*
 * The file systems of a generated profile: PE-MF and PE-USIM (SAIP 2.x, "File System PEs"),
 * built on the SAIP templates for the MF and for "ADF USIM, created by default".
 *
 * A template supplies each file's FID, structure, size and short file identifier. The
 * generator overrides the access rules of every file, so that each one refers to a record of
 * an EF.ARR written here, and sets the content of the files that carry subscriber data.
 * Access rules follow the expanded format of ETSI TS 102 221: access mode and security
 * condition data objects. The key references are PIN1 '01', ADM1 '0A' and PIN2 '81', which is
 * local to the ADF.
 */
#include <stdlib.h>
#include <string.h>

#include "saip/internal.h"
#include "saip/saip.h"

const uint32_t saip_template_mf[6] = {2, 23, 143, 1, 2, 1};
const uint32_t saip_template_usim[6] = {2, 23, 143, 1, 2, 4};

/* Key references and the access mode bits of TS 102 221 for EFs and DFs. */
#define KEY_PIN1 0x01
#define KEY_ADM1 0x0A
#define KEY_PIN2 0x81
#define AM_EF_READ 0x01
#define AM_EF_UPDATE 0x02
#define AM_DEACTIVATE 0x08
#define AM_ACTIVATE 0x10
#define AM_DF_CREATE_EF 0x02
#define AM_DF_CREATE_DF 0x04
#define AM_DF_DELETE_SELF 0x40

/* Access rule building blocks: an access mode DO, then "always" or "user verification with
 * key ref". */
#define AM(mode) 0x80, 0x01, (mode)
#define ALWAYS 0x90, 0x00
#define KEY(ref) 0xA4, 0x06, 0x83, 0x01, (ref), 0x95, 0x01, 0x08

/* Both EF.ARR files are linear fixed with records of this length; 'FF' pads each record. */
#define ARR_RECORD_LEN 40

struct arr_record {
	uint8_t len;
	uint8_t data[ARR_RECORD_LEN];
};
#define RECORD(...) {sizeof((uint8_t[]){__VA_ARGS__}), {__VA_ARGS__}}

/* EF.ARR under the MF (FID 2F06). The MF, ADF.USIM and the files under the MF use it. */
enum { MF_ARR_DF = 1, MF_ARR_READ_ALWAYS = 2, MF_ARR_ICCID = 3 };
static const struct arr_record mf_arr[] = {
	/* 1: DFs: create files, (de)activate and delete with ADM1 */
	RECORD(AM(AM_DF_CREATE_EF | AM_DF_CREATE_DF | AM_DEACTIVATE | AM_ACTIVATE |
		  AM_DF_DELETE_SELF), KEY(KEY_ADM1)),
	/* 2: read always; update and (de)activate with ADM1 */
	RECORD(AM(AM_EF_READ), ALWAYS, AM(AM_EF_UPDATE | AM_DEACTIVATE | AM_ACTIVATE),
	       KEY(KEY_ADM1)),
	/* 3: read always, never updated; (de)activate with ADM1 */
	RECORD(AM(AM_EF_READ), ALWAYS, AM(AM_DEACTIVATE | AM_ACTIVATE), KEY(KEY_ADM1)),
};

/* EF.ARR under ADF.USIM (FID 6F06). */
enum { USIM_ARR_READ_ALWAYS = 1, USIM_ARR_READ_PIN = 2, USIM_ARR_PIN = 3, USIM_ARR_PIN2 = 4 };
static const struct arr_record usim_arr[] = {
	/* 1: read always; update and (de)activate with ADM1 */
	RECORD(AM(AM_EF_READ), ALWAYS, AM(AM_EF_UPDATE | AM_DEACTIVATE | AM_ACTIVATE),
	       KEY(KEY_ADM1)),
	/* 2: read with PIN1; update and (de)activate with ADM1 */
	RECORD(AM(AM_EF_READ), KEY(KEY_PIN1), AM(AM_EF_UPDATE | AM_DEACTIVATE | AM_ACTIVATE),
	       KEY(KEY_ADM1)),
	/* 3: read and update with PIN1; (de)activate with ADM1 */
	RECORD(AM(AM_EF_READ | AM_EF_UPDATE), KEY(KEY_PIN1), AM(AM_DEACTIVATE | AM_ACTIVATE),
	       KEY(KEY_ADM1)),
	/* 4: read with PIN1, update with PIN2; (de)activate with ADM1 */
	RECORD(AM(AM_EF_READ), KEY(KEY_PIN1), AM(AM_EF_UPDATE), KEY(KEY_PIN2),
	       AM(AM_DEACTIVATE | AM_ACTIVATE), KEY(KEY_ADM1)),
};

#define ARR_MAX_RECORDS 4
_Static_assert(sizeof(mf_arr) / sizeof(mf_arr[0]) <= ARR_MAX_RECORDS, "mf_arr too long");
_Static_assert(sizeof(usim_arr) / sizeof(usim_arr[0]) <= ARR_MAX_RECORDS, "usim_arr too long");

/* USIM application identifier: RID A000000087 (3GPP) and application code 1002 (USIM); the
 * bytes after them are the application provider's choice. */
static const uint8_t usim_aid[] = {0xA0, 0x00, 0x00, 0x00, 0x87, 0x10, 0x02, 0xFF,
				   0xFF, 0xFF, 0xFF, 0x89, 0x00, 0x00, 0x01, 0x00};
/* Temporary file ID of ADF.USIM while the profile is installed. */
static const uint8_t usim_temp_fid[] = {0x7F, 0xF0};
/* pinStatusTemplateDO: the key references that protect the DF, in the SAIP short form. */
static const uint8_t mf_pin_status[] = {KEY_PIN1, KEY_ADM1};
static const uint8_t usim_pin_status[] = {KEY_PIN2, KEY_PIN1, KEY_ADM1};

/* Services enabled in EF.UST (3GPP TS 31.102 numbering): n2 FDN, n10 SMS, n12 SMS
 * parameters. The eUICC clears the bits of services it does not support. */
static const uint8_t usim_ust[] = {0x02, 0x0A, 0x00, 0x00};
/* EF.EST: FDN not enabled. */
static const uint8_t usim_est[] = {0x00};

/* The File Control Parameters the generator sets; an empty member is left to the template. */
struct fcp_spec {
	const uint8_t *descriptor; /* file descriptor byte, coding byte, record length */
	size_t descriptor_len;
	const uint8_t *df_name;
	size_t df_name_len;
	const uint8_t *file_id;
	const uint8_t *pin_status;
	size_t pin_status_len;
	uint16_t arr_fid;  /* with arr_record: securityAttributesReferenced */
	uint8_t arr_record;
	size_t size;       /* efFileSize; 0 leaves the template's */
};

static FileElement_t *add_element(struct saip_build *b, File_t *file, FileElement_PR kind)
{
	FileElement_t *e = saip_build_calloc(b, sizeof(*e));

	if (!e)
		return NULL;
	e->present = kind;
	if (ASN_SEQUENCE_ADD(&file->list, e) != 0) {
		free(e);
		b->status = SAIP_E_NOMEM;
		return NULL;
	}
	return e;
}

/* efFileSize: big-endian in the fewest bytes. */
static void set_file_size(struct saip_build *b, Fcp_t *fcp, size_t size)
{
	uint8_t bytes[2] = {(uint8_t)(size >> 8), (uint8_t)size};

	if (size > 0xFF)
		fcp->efFileSize = saip_build_new_octets(b, bytes, 2);
	else
		fcp->efFileSize = saip_build_new_octets(b, bytes + 1, 1);
}

static void add_fcp(struct saip_build *b, File_t *file, const struct fcp_spec *spec)
{
	FileElement_t *e = add_element(b, file, FileElement_PR_fileDescriptor);
	uint8_t arr_ref[3] = {(uint8_t)(spec->arr_fid >> 8), (uint8_t)spec->arr_fid,
			      spec->arr_record};
	Fcp_t *fcp;

	if (!e)
		return;
	fcp = &e->choice.fileDescriptor;
	if (spec->descriptor)
		fcp->fileDescriptor =
			saip_build_new_octets(b, spec->descriptor, spec->descriptor_len);
	if (spec->file_id)
		fcp->fileID = saip_build_new_octets(b, spec->file_id, 2);
	if (spec->df_name)
		fcp->dfName = saip_build_new_octets(b, spec->df_name, spec->df_name_len);
	fcp->securityAttributesReferenced = saip_build_new_octets(b, arr_ref, sizeof(arr_ref));
	if (spec->size)
		set_file_size(b, fcp, spec->size);
	if (spec->pin_status)
		fcp->pinStatusTemplateDO =
			saip_build_new_octets(b, spec->pin_status, spec->pin_status_len);
}

static void add_content(struct saip_build *b, File_t *file, const uint8_t *data, size_t len)
{
	FileElement_t *e = add_element(b, file, FileElement_PR_fillFileContent);

	if (e)
		saip_build_octets(b, &e->choice.fillFileContent, data, len);
}

/* A template EF whose FCP keeps everything but the access rule, with optional content. */
static void build_ef(struct saip_build *b, File_t *file, uint16_t arr_fid, uint8_t record,
		     const uint8_t *content, size_t len)
{
	struct fcp_spec spec = {.arr_fid = arr_fid, .arr_record = record, .size = len};

	add_fcp(b, file, &spec);
	if (content)
		add_content(b, file, content, len);
}

/* A linear fixed EF.ARR holding the given records. */
static void build_arr(struct saip_build *b, File_t *file, uint16_t arr_fid, uint8_t record,
		      const struct arr_record *records, size_t count)
{
	static const uint8_t descriptor[] = {0x42, 0x21, 0x00, ARR_RECORD_LEN};
	uint8_t content[ARR_MAX_RECORDS * ARR_RECORD_LEN];
	struct fcp_spec spec = {
		.descriptor = descriptor, .descriptor_len = sizeof(descriptor),
		.arr_fid = arr_fid, .arr_record = record, .size = count * ARR_RECORD_LEN,
	};

	memset(content, 0xFF, sizeof(content));
	for (size_t i = 0; i < count; i++)
		memcpy(content + i * ARR_RECORD_LEN, records[i].data, records[i].len);
	add_fcp(b, file, &spec);
	add_content(b, file, content, count * ARR_RECORD_LEN);
}

/* EF.DIR: one application template record (ETSI TS 102 221): '61' { '4F' AID, '50' label }. */
#define DIR_RECORD_LEN 32
static void build_dir(struct saip_build *b, File_t *file)
{
	static const uint8_t descriptor[] = {0x42, 0x21, 0x00, DIR_RECORD_LEN};
	static const char label[] = "USIM";
	uint8_t record[DIR_RECORD_LEN];
	size_t label_len = sizeof(label) - 1;
	struct fcp_spec spec = {
		.descriptor = descriptor, .descriptor_len = sizeof(descriptor),
		.arr_fid = 0x2F06, .arr_record = MF_ARR_READ_ALWAYS, .size = DIR_RECORD_LEN,
	};

	memset(record, 0xFF, sizeof(record));
	record[0] = 0x61;
	record[1] = (uint8_t)(2 + sizeof(usim_aid) + 2 + label_len);
	record[2] = 0x4F;
	record[3] = sizeof(usim_aid);
	memcpy(record + 4, usim_aid, sizeof(usim_aid));
	record[4 + sizeof(usim_aid)] = 0x50;
	record[5 + sizeof(usim_aid)] = (uint8_t)label_len;
	memcpy(record + 6 + sizeof(usim_aid), label, label_len);

	add_fcp(b, file, &spec);
	add_content(b, file, record, sizeof(record));
}

void saip_build_mf(struct saip_build *b, PE_MF_t *mf, long id, const char *iccid)
{
	struct fcp_spec mf_spec = {
		.pin_status = mf_pin_status, .pin_status_len = sizeof(mf_pin_status),
		.arr_fid = 0x2F06, .arr_record = MF_ARR_DF,
	};
	uint8_t ef_iccid[RSP_ICCID_LEN];

	saip_build_pe_header(b, &mf->mf_header, id);
	saip_build_oid(b, &mf->templateID, saip_template_mf, 6);
	add_fcp(b, &mf->mf, &mf_spec);

	saip_iccid_to_bcd(iccid, true, ef_iccid);
	build_ef(b, &mf->ef_iccid, 0x2F06, MF_ARR_ICCID, ef_iccid, sizeof(ef_iccid));
	build_dir(b, &mf->ef_dir);
	build_arr(b, &mf->ef_arr, 0x2F06, MF_ARR_READ_ALWAYS, mf_arr,
		  sizeof(mf_arr) / sizeof(mf_arr[0]));
}

/* The optional files of the USIM template, each given an access rule of usim_arr. Listing them
 * creates them even where the template would not by default. */
static const struct {
	size_t offset;
	uint8_t record;
} usim_optional_files[] = {
	{offsetof(PE_USIM_t, ef_keys), USIM_ARR_PIN},
	{offsetof(PE_USIM_t, ef_keysPS), USIM_ARR_PIN},
	{offsetof(PE_USIM_t, ef_hpplmn), USIM_ARR_READ_PIN},
	{offsetof(PE_USIM_t, ef_fdn), USIM_ARR_PIN2},
	{offsetof(PE_USIM_t, ef_sms), USIM_ARR_PIN},
	{offsetof(PE_USIM_t, ef_smsp), USIM_ARR_PIN},
	{offsetof(PE_USIM_t, ef_smss), USIM_ARR_PIN},
	{offsetof(PE_USIM_t, ef_start_hfn), USIM_ARR_PIN},
	{offsetof(PE_USIM_t, ef_threshold), USIM_ARR_READ_PIN},
	{offsetof(PE_USIM_t, ef_psloci), USIM_ARR_PIN},
	{offsetof(PE_USIM_t, ef_fplmn), USIM_ARR_PIN},
	{offsetof(PE_USIM_t, ef_loci), USIM_ARR_PIN},
	{offsetof(PE_USIM_t, ef_netpar), USIM_ARR_PIN},
	{offsetof(PE_USIM_t, ef_epsloci), USIM_ARR_PIN},
	{offsetof(PE_USIM_t, ef_epsnsc), USIM_ARR_PIN},
};

void saip_build_usim(struct saip_build *b, PE_USIM_t *usim, long id,
		     const struct saip_usim_values *values)
{
	struct fcp_spec adf_spec = {
		.file_id = usim_temp_fid, .df_name = usim_aid, .df_name_len = sizeof(usim_aid),
		.pin_status = usim_pin_status, .pin_status_len = sizeof(usim_pin_status),
		.arr_fid = 0x2F06, .arr_record = MF_ARR_DF,
	};
	/* EF.AD: normal operation, no additional information, then the MNC length. */
	uint8_t ad[4] = {0x00, 0x00, 0x00, values->mnc_digits};
	uint16_t arr_fid = 0x6F06;

	saip_build_pe_header(b, &usim->usim_header, id);
	saip_build_oid(b, &usim->templateID, saip_template_usim, 6);
	add_fcp(b, &usim->adf_usim, &adf_spec);

	build_ef(b, &usim->ef_imsi, arr_fid, USIM_ARR_READ_PIN, values->imsi, sizeof(values->imsi));
	build_arr(b, &usim->ef_arr, arr_fid, USIM_ARR_READ_ALWAYS, usim_arr,
		  sizeof(usim_arr) / sizeof(usim_arr[0]));
	build_ef(b, &usim->ef_ust, arr_fid, USIM_ARR_READ_PIN, usim_ust, sizeof(usim_ust));
	build_ef(b, &usim->ef_spn, arr_fid, USIM_ARR_READ_ALWAYS, NULL, 0);
	build_ef(b, &usim->ef_est, arr_fid, USIM_ARR_PIN2, usim_est, sizeof(usim_est));
	build_ef(b, &usim->ef_acc, arr_fid, USIM_ARR_READ_PIN, values->acc, sizeof(values->acc));
	build_ef(b, &usim->ef_ecc, arr_fid, USIM_ARR_READ_ALWAYS, NULL, 0);

	usim->ef_ad = saip_build_calloc(b, sizeof(File_t));
	if (usim->ef_ad)
		build_ef(b, usim->ef_ad, arr_fid, USIM_ARR_READ_ALWAYS, ad, sizeof(ad));

	for (size_t i = 0; i < sizeof(usim_optional_files) / sizeof(usim_optional_files[0]); i++) {
		File_t **file = (File_t **)((char *)usim + usim_optional_files[i].offset);

		*file = saip_build_calloc(b, sizeof(File_t));
		if (*file)
			build_ef(b, *file, arr_fid, usim_optional_files[i].record, NULL, 0);
	}
}
