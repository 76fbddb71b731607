// Every diagnostic id sipl emits, in one place, grouped by the layer that emits it. A finding
// or an error names its id with one of these constants, never with a string literal (ctest
// docs.diagnostic_ids checks both that and that docs/DIAGNOSTICS.md lists every id here, with
// its severity, meaning and the verbs that print it). An id is part of the JSON contract
// (docs/JSON.md): it is never renamed, and one that is no longer emitted stays listed.
#pragma once

namespace sipl::ids {

// base: the id of an error that names none (default_error_id, one per ErrorCode)
inline constexpr char kErrorUsage[] = "error.usage";
inline constexpr char kErrorIo[] = "error.io";
inline constexpr char kErrorBadInput[] = "error.bad_input";
inline constexpr char kErrorLimit[] = "error.limit";
inline constexpr char kErrorUnsupported[] = "error.unsupported";
inline constexpr char kErrorInternal[] = "error.internal";

// crypto
inline constexpr char kKeygenNotPemName[] = "keygen.not_pem_name";
inline constexpr char kKeygenOutputExists[] = "keygen.output_exists";
inline constexpr char kPkcs11PinIncorrect[] = "pkcs11.pin_incorrect";
inline constexpr char kPkcs11PinLocked[] = "pkcs11.pin_locked";
inline constexpr char kSignKeyCertificateMismatch[] = "sign.key_certificate_mismatch";
inline constexpr char kVerifyContentTypeMismatch[] = "verify.content_type_mismatch";
inline constexpr char kVerifyDigestMismatch[] = "verify.digest_mismatch";
inline constexpr char kVerifyExpired[] = "verify.expired";
inline constexpr char kVerifyKeyTypeMismatch[] = "verify.key_type_mismatch";
inline constexpr char kVerifyKeyUsage[] = "verify.key_usage";
inline constexpr char kVerifyMalformedSignature[] = "verify.malformed_signature";
inline constexpr char kVerifyNoSigner[] = "verify.no_signer";
inline constexpr char kVerifyNotTried[] = "verify.not_tried";
inline constexpr char kVerifyNotYetValid[] = "verify.not_yet_valid";
inline constexpr char kVerifySignatureUnusable[] = "verify.signature_unusable";
inline constexpr char kVerifySignerNotInStore[] = "verify.signer_not_in_store";
inline constexpr char kVerifyUnknown[] = "verify.unknown";
inline constexpr char kVerifyUnsupportedAlgorithm[] = "verify.unsupported_algorithm";
inline constexpr char kVerifyUnsupportedKey[] = "verify.unsupported_key";
inline constexpr char kVerifyVerified[] = "verify.verified";
inline constexpr char kVerifyWrongKey[] = "verify.wrong_key";

// image
inline constexpr char kSignComponentTooLarge[] = "sign.component_too_large";
inline constexpr char kSignNotBlockMultiple[] = "sign.not_block_multiple";
inline constexpr char kSignSignerExpired[] = "sign.signer_expired";
inline constexpr char kSignSignerNotYetValid[] = "sign.signer_not_yet_valid";
inline constexpr char kSignSignerKeyUnreadable[] = "sign.signer_key_unreadable";

// hv
inline constexpr char kDiag320CertExpired[] = "diag320.cert_expired";
inline constexpr char kDiag320CertNotYetValid[] = "diag320.cert_not_yet_valid";
inline constexpr char kDiag320CertTooLarge[] = "diag320.cert_too_large";
inline constexpr char kDiag320CertKeyUnreadable[] = "diag320.cert_key_unreadable";
inline constexpr char kDiag508ComponentAddress[] = "diag508.component_address";
inline constexpr char kDiag508ComponentLength[] = "diag508.component_length";
inline constexpr char kDiag508ComponentTooLong[] = "diag508.component_too_long";
inline constexpr char kDiag508InvalidSvbLength[] = "diag508.invalid_svb_length";
inline constexpr char kDiag508NoCertificates[] = "diag508.no_certificates";
inline constexpr char kDiag508NotInGuestMemory[] = "diag508.not_in_guest_memory";
inline constexpr char kDiag508SignatureAddress[] = "diag508.signature_address";
inline constexpr char kDiag508SignatureLength[] = "diag508.signature_length";
inline constexpr char kDiag508SignatureTooLong[] = "diag508.signature_too_long";
inline constexpr char kStoreDirectoryOrder[] = "store.directory_order";
inline constexpr char kStoreEmptyDirectory[] = "store.empty_directory";
inline constexpr char kStoreInvalidAt[] = "store.invalid_at";
inline constexpr char kStoreKeyUnreadable[] = "store.key_unreadable";
inline constexpr char kStorePemMultipleCertificates[] = "store.pem_multiple_certificates";
inline constexpr char kStoreSkipNotPem[] = "store.skip_not_pem";

// fw
inline constexpr char kBootBiosMemory[] = "boot.bios_memory";
inline constexpr char kBootDeviceNotSimulated[] = "boot.device_not_simulated";
inline constexpr char kBootEckdFallback[] = "boot.eckd_fallback";
inline constexpr char kBootLoadOutsideMemory[] = "boot.load_outside_memory";
inline constexpr char kBootLoadparmNotNumeric[] = "boot.loadparm_not_numeric";
inline constexpr char kBootNoScsiScheme[] = "boot.no_scsi_scheme";
inline constexpr char kBootReadFailed[] = "boot.read_failed";
inline constexpr char kBootSclabOutsideComponent[] = "boot.sclab_outside_component";
inline constexpr char kBootTwoSignatures[] = "boot.two_signatures";
inline constexpr char kBootVerifyFailed[] = "boot.verify_failed";
inline constexpr char kBootWalkFailed[] = "boot.walk_failed";
inline constexpr char kVerifyAlsoAppended[] = "verify.also_appended";
inline constexpr char kVerifyMalformedTrailer[] = "verify.malformed_trailer";
inline constexpr char kVerifyNoSignature[] = "verify.no_signature";
inline constexpr char kVerifyNotBlockMultiple[] = "verify.not_block_multiple";
inline constexpr char kVerifySignedTwice[] = "verify.signed_twice";

// guest
inline constexpr char kGuestBlockPastReportEnd[] = "guest.block_past_report_end";
inline constexpr char kGuestBlockTrailingBytes[] = "guest.block_trailing_bytes";
inline constexpr char kGuestCertIndexOutOfRange[] = "guest.cert_index_out_of_range";
inline constexpr char kGuestDuplicateBlock[] = "guest.duplicate_block";
inline constexpr char kGuestIplbLenUnaligned[] = "guest.iplb_len_unaligned";
inline constexpr char kGuestIplbVersion[] = "guest.iplb_version";
inline constexpr char kGuestPlatformKeyNotLoaded[] = "guest.platform_key_not_loaded";
inline constexpr char kGuestReportIgnored[] = "guest.report_ignored";
inline constexpr char kGuestReportTailUnread[] = "guest.report_tail_unread";
inline constexpr char kGuestReportTooShort[] = "guest.report_too_short";
inline constexpr char kGuestSiplWithoutIplir[] = "guest.sipl_without_iplir";
inline constexpr char kGuestUnknownBlock[] = "guest.unknown_block";
inline constexpr char kGuestVerifiedNotSigned[] = "guest.verified_not_signed";

// mgmt
inline constexpr char kAddressCcwInvalid[] = "address.ccw_invalid";
inline constexpr char kBootCdrom[] = "boot.cdrom";
inline constexpr char kBootDevInvalid[] = "boot.dev_invalid";
inline constexpr char kBootDeviceUnknown[] = "boot.device_unknown";
inline constexpr char kBootDiskBus[] = "boot.disk_bus";
inline constexpr char kBootLoadparmChars[] = "boot.loadparm_chars";
inline constexpr char kBootLoadparmLength[] = "boot.loadparm_length";
inline constexpr char kBootNet[] = "boot.net";
inline constexpr char kBootNone[] = "boot.none";
inline constexpr char kBootOrderDuplicate[] = "boot.order_duplicate";
inline constexpr char kBootOrderInvalid[] = "boot.order_invalid";
inline constexpr char kBootPerDeviceAndOs[] = "boot.per_device_and_os";
inline constexpr char kBootVfio[] = "boot.vfio";
inline constexpr char kBootVirtioPci[] = "boot.virtio_pci";
inline constexpr char kBootCertsArch[] = "boot_certs.arch";
inline constexpr char kBootCertsEmpty[] = "boot_certs.empty";
inline constexpr char kBootCertsEmptyPath[] = "boot_certs.empty_path";
inline constexpr char kBootCertsMachine[] = "boot_certs.machine";
inline constexpr char kBootCertsQemuCommandline[] = "boot_certs.qemu_commandline";
inline constexpr char kBootCertsRelativePath[] = "boot_certs.relative_path";
inline constexpr char kBootCertsSeedForm[] = "boot_certs.seed_form";
inline constexpr char kCpuModelLacksSipl[] = "cpu.model_lacks_sipl";
inline constexpr char kCpuModelUnknown[] = "cpu.model_unknown";
inline constexpr char kDomainNameMissing[] = "domain.name_missing";
inline constexpr char kFirmwareEnrolledKeysS390x[] = "firmware.enrolled_keys_s390x";
inline constexpr char kFirmwareEnrolledKeysWithoutSecureBoot[] = "firmware.enrolled_keys_without_secure_boot";
inline constexpr char kFirmwareFeaturesWithoutAutoselection[] = "firmware.features_without_autoselection";
inline constexpr char kLaunchSecurityPv[] = "launch_security.pv";
inline constexpr char kLoaderS390x[] = "loader.s390x";
inline constexpr char kLoaderSecureS390x[] = "loader.secure_s390x";
inline constexpr char kMemoryInvalid[] = "memory.invalid";
inline constexpr char kNvramS390x[] = "nvram.s390x";
inline constexpr char kOsFirmwareS390x[] = "os.firmware_s390x";
inline constexpr char kOsFirmwareUnknown[] = "os.firmware_unknown";
inline constexpr char kOsSeedFirmware[] = "os.seed_firmware";
inline constexpr char kQemuNoBootCerts[] = "qemu.no_boot_certs";
inline constexpr char kQemuTooOld[] = "qemu.too_old";
inline constexpr char kQemuCommandlineMachine[] = "qemu_commandline.machine";
inline constexpr char kQemuCommandlineSecureBoot[] = "qemu_commandline.secure_boot";
inline constexpr char kSchemaInvalid[] = "schema.invalid";
inline constexpr char kSecureBootNoCerts[] = "secure_boot.no_certs";
inline constexpr char kVcpuInvalid[] = "vcpu.invalid";
inline constexpr char kXmlInvalidValue[] = "xml.invalid_value";
inline constexpr char kXmlMissingAttribute[] = "xml.missing_attribute";

// predict
inline constexpr char kBootArgvIgnored[] = "boot.argv_ignored";
inline constexpr char kBootBootCertsForm[] = "boot.boot_certs_form";
inline constexpr char kBootGuestView[] = "boot.guest_view";

// fleet
inline constexpr char kAuditBootCertsDropped[] = "audit.boot_certs_dropped";
inline constexpr char kAuditCertificateExpired[] = "audit.certificate_expired";
inline constexpr char kAuditCertificateExpires[] = "audit.certificate_expires";
inline constexpr char kAuditCertificateNotYetValid[] = "audit.certificate_not_yet_valid";
inline constexpr char kAuditConnectFailed[] = "audit.connect_failed";
inline constexpr char kAuditDiskUnreadable[] = "audit.disk_unreadable";
inline constexpr char kAuditMachineUnreadable[] = "audit.machine_unreadable";
inline constexpr char kAuditNotS390x[] = "audit.not_s390x";
inline constexpr char kAuditPredictionFailed[] = "audit.prediction_failed";
inline constexpr char kAuditQemuRefuses[] = "audit.qemu_refuses";
inline constexpr char kAuditRemotePath[] = "audit.remote_path";
inline constexpr char kAuditSecureBootWithoutCertificates[] = "audit.secure_boot_without_certificates";
inline constexpr char kAuditSourceUnreadable[] = "audit.source_unreadable";
inline constexpr char kAuditStoreOver64[] = "audit.store_over_64";
inline constexpr char kAuditStoreUnreadable[] = "audit.store_unreadable";
inline constexpr char kAuditUnsupportedQemu[] = "audit.unsupported_qemu";
inline constexpr char kAuditVerdictChanges[] = "audit.verdict_changes";
inline constexpr char kAuditXmlUnreadable[] = "audit.xml_unreadable";

// cli
inline constexpr char kBootRecordWarning[] = "boot_record.warning";
inline constexpr char kZiplWarning[] = "zipl.warning";

}  // namespace sipl::ids
