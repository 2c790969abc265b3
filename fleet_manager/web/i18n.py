"""Dashboard texts in French and Arabic (right to left)."""

from __future__ import annotations

from collections.abc import Callable

LANGUAGES = ("fr", "ar")
DEFAULT_LANGUAGE = "fr"
RTL = frozenset({"ar"})

_TEXTS: dict[str, tuple[str, str]] = {
    # key: (French, Arabic)
    "title": ("Parc des bornes", "أسطول الأكشاك"),
    "overview": ("Vue d'ensemble", "نظرة عامة"),
    "alerts": ("Alertes", "التنبيهات"),
    "offices": ("Bureaux", "المكاتب"),
    "office": ("Bureau", "المكتب"),
    "terminal": ("Borne", "الكشك"),
    "terminals": ("Bornes", "الأكشاك"),
    "status": ("État", "الحالة"),
    "reason": ("Raison", "السبب"),
    "since": ("Depuis", "منذ"),
    "last_seen": ("Dernier signe de vie", "آخر ظهور"),
    "software": ("Logiciel", "البرنامج"),
    "config": ("Configuration", "الإعدادات"),
    "applied": ("appliquée", "المطبقة"),
    "desired": ("voulue", "المطلوبة"),
    "group": ("Groupe", "المجموعة"),
    "hardware": ("Matériel", "العتاد"),
    "devices": ("Périphériques", "الأجهزة"),
    "history": ("Historique de santé", "سجل الحالة"),
    "commands": ("Commandes", "الأوامر"),
    "events": ("Événements", "الأحداث"),
    "send": ("Envoyer", "إرسال"),
    "acknowledge": ("Prendre en charge", "تأكيد الاستلام"),
    "rule": ("Règle", "القاعدة"),
    "severity": ("Gravité", "الخطورة"),
    "opened": ("Ouverte", "فُتح"),
    "detail": ("Détail", "التفاصيل"),
    "state": ("État", "الحالة"),
    "none": ("Aucune", "لا شيء"),
    "sign_in": ("Connexion", "تسجيل الدخول"),
    "sign_out": ("Déconnexion", "تسجيل الخروج"),
    "token": ("Jeton du registre", "رمز السجل"),
    "username": ("Identifiant", "اسم المستخدم"),
    "password": ("Mot de passe", "كلمة المرور"),
    "sign_in_help": (
        "Connectez-vous avec votre compte du registre d'état civil.",
        "سجّل الدخول بحسابك في سجل الحالة المدنية.",
    ),
    "totp_code": ("Code de vérification (TOTP)", "رمز التحقق (TOTP)"),
    "totp_hint": (
        "Comptes à double authentification (officiers, chefs de bureau, administrateurs "
        "centraux) : les 6 chiffres affichés par l'application d'authentification. "
        "Les autres comptes le laissent vide.",
        "للحسابات ذات التحقق بخطوتين (الضباط، رؤساء المكاتب، المشرفون المركزيون): الأرقام "
        "الستة التي يعرضها تطبيق المصادقة. تتركه الحسابات الأخرى فارغا.",
    ),
    # Why a sign-in failed (fleet_manager.web.signin.REASONS).
    "login_refused": (
        "Identifiant ou mot de passe incorrect.",
        "اسم المستخدم أو كلمة المرور غير صحيحة.",
    ),
    "login_locked": (
        "Compte verrouillé temporairement après des échecs répétés ; réessayez plus tard.",
        "الحساب مقفل مؤقتا بسبب محاولات فاشلة متكررة؛ أعد المحاولة لاحقا.",
    ),
    "login_totp_required": (
        "Ce compte exige le code de vérification (TOTP) de l'application d'authentification : "
        "saisissez-le avec le mot de passe.",
        "هذا الحساب يتطلب رمز التحقق (TOTP) من تطبيق المصادقة: أدخله مع كلمة المرور.",
    ),
    "login_totp_invalid": (
        "Code de vérification incorrect ou déjà utilisé : saisissez le code affiché maintenant.",
        "رمز التحقق غير صحيح أو سبق استعماله: أدخل الرمز المعروض الآن.",
    ),
    "login_totp_not_enrolled": (
        "Double authentification pas encore configurée : connectez-vous une fois aux pages du "
        "personnel du registre pour l'activer, puis revenez ici.",
        "لم يتم إعداد التحقق بخطوتين بعد: سجّل الدخول مرة واحدة في صفحات الموظفين بالسجل "
        "لتفعيله، ثم عد إلى هنا.",
    ),
    "login_unreachable": (
        "Le registre d'état civil ne répond pas ; réessayez dans un instant.",
        "سجل الحالة المدنية لا يستجيب؛ أعد المحاولة بعد لحظة.",
    ),
    "login_unexpected": (
        "Réponse inattendue du registre d'état civil ; réessayez.",
        "رد غير متوقع من سجل الحالة المدنية؛ أعد المحاولة.",
    ),
    "login_needed": ("Saisissez vos identifiants.", "أدخل بيانات الدخول."),
    "login_token": (
        "Jeton refusé : expiré ou mal signé.",
        "الرمز مرفوض: منتهي الصلاحية أو توقيعه غير صحيح.",
    ),
    "login_no_role": (
        "Ce compte n'a pas de rôle sur le parc des bornes.",
        "هذا الحساب ليس له دور في أسطول الأكشاك.",
    ),
    "login_no_scope": (
        "Ce compte n'est rattaché à aucun bureau.",
        "هذا الحساب غير مرتبط بأي مكتب.",
    ),
    "total": ("Total", "المجموع"),
    "next_page": ("Page suivante", "الصفحة التالية"),
    "day_message": ("Message du jour", "رسالة اليوم"),
    "day_message_hint": (
        "Affiché sur la borne, une ligne de {max} caractères au plus par langue ; "
        "les deux vides l'effacent.",
        "يظهر على الكشك، سطر واحد من {max} حرفا على الأكثر لكل لغة؛ تركهما فارغين يمحوها.",
    ),
    "message_ar": ("Message en arabe", "الرسالة بالعربية"),
    "message_fr": ("Message en français", "الرسالة بالفرنسية"),
    "e_message_too_long": (
        "Message trop long : {max} caractères au plus par langue.",
        "الرسالة طويلة جدا: {max} حرفا على الأكثر لكل لغة.",
    ),
    "e_bad_message": (
        "Message refusé : une seule ligne, sans caractères de contrôle.",
        "رُفضت الرسالة: سطر واحد بدون رموز تحكم.",
    ),
    "e_bad_level": ("Niveau de journal inconnu.", "مستوى سجل غير معروف."),
    "e_no_args": ("Cette commande ne prend pas d'arguments.", "هذا الأمر لا يقبل معطيات."),
    "first_page": ("Première page", "الصفحة الأولى"),
    "cpu": ("Processeur %", "المعالج ٪"),
    "mem": ("Mémoire %", "الذاكرة ٪"),
    "disk": ("Disque libre %", "القرص الحر ٪"),
    "outbox": ("File d'envoi", "قائمة الإرسال"),
    "open_access": (
        "Mode développement : accès sans connexion.",
        "وضع التطوير: دخول بدون تسجيل.",
    ),
    "escalated": ("escaladée", "مصعّد"),
    "outcome": ("Résultat", "النتيجة"),
    "issued": ("Émise", "أُصدر"),
    "by": ("par", "بواسطة"),
    "all_clear": ("Aucune alerte ouverte.", "لا توجد تنبيهات مفتوحة."),
    "forbidden": ("Accès refusé", "الدخول مرفوض"),
    "s_online": ("en service", "يعمل"),
    "s_degraded": ("dégradée", "متدهور"),
    "s_offline": ("hors ligne", "غير متصل"),
    "s_closed": ("fermée", "مغلق"),
    "s_maintenance": ("maintenance", "صيانة"),
    "s_unknown": ("inconnue", "غير معروف"),
    "a_open": ("ouverte", "مفتوح"),
    "a_acknowledged": ("prise en charge", "مؤكد"),
    "a_resolved": ("résolue", "محلول"),
    "r_offline": ("hors ligne", "غير متصل"),
    "r_printer_error": ("imprimante en erreur", "عطل في الطابعة"),
    "r_paper_low": ("papier bientôt épuisé", "الورق على وشك النفاد"),
    "r_paper_out": ("plus de papier", "نفد الورق"),
    "r_card_reader_missing": ("lecteur de carte absent", "قارئ البطاقات غير موجود"),
    "r_outbox_stuck": ("file d'envoi bloquée", "قائمة الإرسال متوقفة"),
    "r_disk_full": ("disque presque plein", "القرص شبه ممتلئ"),
    "r_clock_skew": ("horloge décalée", "الساعة غير مضبوطة"),
    "c_sent": ("envoyée", "أُرسل"),
    "c_accepted": ("acceptée", "مقبول"),
    "c_succeeded": ("réussie", "نجح"),
    "c_failed": ("échouée", "فشل"),
    "c_rejected": ("refusée", "مرفوض"),
    "c_expired": ("expirée", "انتهت صلاحيته"),
    "c_timed_out": ("sans réponse", "بدون رد"),
    "critical": ("critique", "حرج"),
    "warning": ("avertissement", "تحذير"),
}


def translator(language: str) -> Callable[..., str]:
    index = 1 if language == "ar" else 0

    def t(key: str, **values: object) -> str:
        pair = _TEXTS.get(key)
        text = pair[index] if pair else key
        return text.format(**values) if values else text

    return t


def pick_language(query: str | None, cookie: str | None, accept: str | None) -> str:
    for candidate in (query, cookie):
        if candidate in LANGUAGES:
            return candidate
    if accept and accept.lower().startswith("ar"):
        return "ar"
    return DEFAULT_LANGUAGE
