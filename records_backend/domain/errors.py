"""Errors the system reports, each with a machine code and a message in Arabic and French."""

from __future__ import annotations

from typing import Any

#: code → (HTTP status, Arabic, French)
CATALOG: dict[str, tuple[int, str, str]] = {
    "invalid_input": (422, "المعطيات المدخلة غير صحيحة", "Les données saisies sont invalides"),
    "not_authenticated": (401, "يجب تسجيل الدخول", "Authentification requise"),
    "bad_credentials": (
        401,
        "اسم المستخدم أو كلمة المرور غير صحيحة",
        "Identifiant ou mot de passe incorrect",
    ),
    "account_locked": (
        423,
        "الحساب مقفل مؤقتا بسبب محاولات فاشلة متكررة",
        "Compte verrouillé temporairement après des échecs répétés",
    ),
    "session_expired": (401, "انتهت صلاحية الجلسة", "La session a expiré"),
    # The TOTP second factor (records_backend.security.second_factor).
    "totp_required": (
        401,
        "يجب إدخال رمز التحقق (TOTP) من تطبيق المصادقة",
        "Code de vérification (TOTP) de l'application d'authentification requis",
    ),
    "totp_invalid": (
        401,
        "رمز التحقق غير صحيح أو سبق استعماله",
        "Code de vérification incorrect ou déjà utilisé",
    ),
    "totp_not_enrolled": (
        403,
        "لم يتم إعداد التحقق بخطوتين: سجل الدخول أولا في صفحات الموظفين",
        "Double authentification non configurée : connectez-vous d'abord aux pages du personnel",
    ),
    "second_factor_required": (
        403,
        "هذه العملية تتطلب تسجيل الدخول برمز التحقق (TOTP)",
        "Cette opération exige une connexion avec le code de vérification (TOTP)",
    ),
    "forbidden_role": (
        403,
        "ليست لديك صلاحية هذه العملية",
        "Votre rôle ne permet pas cette opération",
    ),
    "forbidden_office": (
        403,
        "هذا المكتب خارج نطاق صلاحياتك",
        "Ce bureau est hors de votre périmètre",
    ),
    "rate_limited": (
        429,
        "محاولات كثيرة، يرجى المحاولة بعد دقيقة",
        "Trop de tentatives : réessayez dans une minute",
    ),
    "not_found": (404, "العنصر المطلوب غير موجود", "Élément introuvable"),
    "office_unknown": (404, "مكتب الحالة المدنية غير معروف", "Bureau d'état civil inconnu"),
    "act_exists": (409, "يوجد رسم بنفس المرجع", "Un acte existe déjà sous cette référence"),
    "act_not_in_keying": (
        409,
        "الرسم ليس في مرحلة الإدخال",
        "L'acte n'est pas en cours de saisie",
    ),
    "same_keyer": (
        409,
        "يجب أن يقوم بالإدخال الثاني ضابط آخر",
        "La seconde saisie doit être faite par un autre officier",
    ),
    "act_registered": (
        409,
        "الرسم مسجل ولا يمكن تعديله إلا ببيان هامشي",
        "L'acte est enregistré : il ne change que par mention marginale",
    ),
    "act_not_registered": (409, "الرسم غير مسجل بعد", "L'acte n'est pas encore enregistré"),
    "no_mismatch": (409, "لا يوجد اختلاف لحله", "Aucune divergence à résoudre"),
    "resolution_incomplete": (
        422,
        "يجب حل كل الاختلافات",
        "Toutes les divergences doivent être tranchées",
    ),
    "note_invalid": (422, "البيان الهامشي غير صالح", "Mention marginale invalide"),
    "note_validated": (409, "البيان الهامشي مصادق عليه من قبل", "Mention déjà validée"),
    "same_validator": (
        409,
        "يجب أن يصادق على البيان ضابط آخر",
        "La mention doit être validée par un autre officier",
    ),
    "illegal_transition": (
        409,
        "لا يمكن الانتقال إلى هذه الحالة",
        "Ce changement d'état n'est pas permis",
    ),
    "idempotency_conflict": (
        409,
        "مفتاح التكرار مستعمل لطلب مختلف",
        "Clé d'idempotence déjà utilisée pour une autre demande",
    ),
    "not_eligible": (
        403,
        "لا يحق لصاحب الطلب الحصول على هذه الوثيقة",
        "Le demandeur n'a pas droit à ce document",
    ),
    "code_invalid": (422, "رمز الطلب غير صحيح", "Code de demande invalide"),
    "code_not_reserved": (
        409,
        "رمز الطلب غير محجوز لهذا الجهاز",
        "Ce code n'est pas réservé à cette borne",
    ),
    "code_used": (409, "رمز الطلب مستعمل", "Ce code de demande est déjà utilisé"),
    "codes_exhausted": (503, "نفدت رموز الطلبات", "Plus de codes de demande disponibles"),
    "lookup_failed": (
        404,
        "لا يوجد طلب بهذا الرمز وهذا الرقم السري",
        "Aucune demande avec ce code et ce secret",
    ),
    "fee_not_collected": (
        409,
        "لم يتم استخلاص رسم التنبر",
        "Le droit de timbre n'a pas été perçu",
    ),
    "scan_invalid": (
        422,
        "الصورة الممسوحة غير مقبولة",
        "Image numérisée refusée (format ou taille)",
    ),
    "terminal_exists": (409, "هذا الجهاز مسجل من قبل", "Cette borne est déjà enregistrée"),
    "username_taken": (409, "اسم المستخدم مستعمل", "Identifiant déjà utilisé"),
    "weak_password": (422, "كلمة المرور ضعيفة", "Mot de passe trop faible"),
    "import_invalid": (422, "ملف الاستيراد غير صالح", "Fichier d'import invalide"),
    "metrics_forbidden": (
        403,
        "الاطلاع على المقاييس غير مسموح من هذا العنوان",
        "Accès aux métriques refusé depuis cette adresse",
    ),
    "internal": (500, "خطأ داخلي", "Erreur interne"),
}


class DomainError(Exception):
    """A refusal the user can act on. ``detail`` is free English for logs and developers."""

    def __init__(self, code: str, detail: str = "", **extra: Any) -> None:
        if code not in CATALOG:
            raise KeyError(code)
        super().__init__(f"{code}: {detail}" if detail else code)
        self.code = code
        self.detail = detail
        self.extra = extra

    @property
    def status(self) -> int:
        return CATALOG[self.code][0]

    @property
    def message_ar(self) -> str:
        return CATALOG[self.code][1]

    @property
    def message_fr(self) -> str:
        return CATALOG[self.code][2]
