"""Moroccan given and family names in Arabic with their usual Latin spellings."""

from __future__ import annotations

# (Arabic, Latin spellings…): the first spelling is the commonest; the others appear too.
MALE: tuple[tuple[str, ...], ...] = (
    ("محمد", "Mohamed", "Mohammed", "Mohamed"),
    ("أحمد", "Ahmed", "Ahmed", "Ahmad"),
    ("يوسف", "Youssef", "Yousef"),
    ("عبد الله", "Abdellah", "Abdallah"),
    ("إبراهيم", "Brahim", "Ibrahim"),
    ("الحسن", "Hassan", "El Hassan"),
    (
        "عمر",
        "Omar",
    ),
    (
        "علي",
        "Ali",
    ),
    ("خالد", "Khalid", "Khaled"),
    ("رشيد", "Rachid", "Rachid", "Rashid"),
    ("سعيد", "Said", "Saïd"),
    ("مصطفى", "Mustapha", "Moustapha", "Mostafa"),
    (
        "عبد الرحيم",
        "Abderrahim",
    ),
    (
        "عبد الكريم",
        "Abdelkrim",
    ),
    ("ياسين", "Yassine", "Yacine"),
    (
        "أيوب",
        "Ayoub",
    ),
    (
        "أنس",
        "Anas",
    ),
    (
        "حمزة",
        "Hamza",
    ),
    ("إدريس", "Driss", "Idriss"),
    (
        "كريم",
        "Karim",
    ),
    (
        "نبيل",
        "Nabil",
    ),
    (
        "هشام",
        "Hicham",
    ),
    ("عثمان", "Othmane", "Otmane"),
    ("المهدي", "Mehdi", "El Mehdi"),
    ("زكرياء", "Zakaria", "Zakariae"),
    ("إسماعيل", "Ismail", "Smail"),
    (
        "عادل",
        "Adil",
    ),
    ("جمال", "Jamal", "Jamal", "Djamal"),
    (
        "العربي",
        "Larbi",
    ),
    ("محسن", "Mohcine", "Mohsine"),
)

FEMALE: tuple[tuple[str, ...], ...] = (
    ("فاطمة", "Fatima", "Fatima", "Fatema"),
    ("خديجة", "Khadija", "Khadidja"),
    ("عائشة", "Aicha", "Aïcha"),
    ("مريم", "Meryem", "Maryam"),
    ("زينب", "Zineb", "Zaynab"),
    ("نعيمة", "Naima", "Naïma"),
    (
        "سعاد",
        "Souad",
    ),
    (
        "حليمة",
        "Halima",
    ),
    (
        "أمينة",
        "Amina",
    ),
    (
        "لطيفة",
        "Latifa",
    ),
    (
        "نادية",
        "Nadia",
    ),
    ("سناء", "Sanaa", "Sanae"),
    (
        "هند",
        "Hind",
    ),
    ("إيمان", "Imane", "Imane", "Iman"),
    (
        "سلمى",
        "Salma",
    ),
    (
        "هاجر",
        "Hajar",
    ),
    ("شيماء", "Chaimae", "Chaima"),
    (
        "ياسمين",
        "Yasmine",
    ),
    ("كوثر", "Kaoutar", "Kawtar"),
    ("وفاء", "Wafae", "Ouafae"),
    ("رجاء", "Rajae", "Raja"),
    ("بشرى", "Bouchra", "Bouchra", "Bushra"),
    ("سكينة", "Sakina", "Soukaina"),
    ("فاطمة الزهراء", "Fatima Zahra", "Fatima Zohra"),
    (
        "مليكة",
        "Malika",
    ),
    (
        "حفصة",
        "Hafsa",
    ),
    (
        "نجاة",
        "Najat",
    ),
    (
        "غيثة",
        "Ghita",
    ),
)

FAMILY: tuple[tuple[str, ...], ...] = (
    ("العلوي", "Alaoui", "El Alaoui"),
    ("الإدريسي", "Idrissi", "El Idrissi", "Drissi"),
    (
        "بناني",
        "Bennani",
    ),
    (
        "التازي",
        "Tazi",
    ),
    ("الفاسي", "Fassi", "El Fassi"),
    (
        "برادة",
        "Berrada",
    ),
    ("الشرقاوي", "Cherkaoui", "Charkaoui"),
    ("المكناسي", "Meknassi", "El Meknassi"),
    (
        "الزموري",
        "Zemmouri",
    ),
    ("بنعلي", "Benali", "Ben Ali"),
    ("الوزاني", "Ouazzani", "Wazzani"),
    ("السباعي", "Sebbai", "Sbai"),
    ("الحسني", "Hassani", "El Hassani"),
    ("العمراني", "Amrani", "El Amrani"),
    ("الكتاني", "Kettani", "Kattani"),
    (
        "بنجلون",
        "Benjelloun",
    ),
    ("الريفي", "Rifi", "Riffi"),
    ("الزياني", "Ziani", "Zayani"),
    ("البقالي", "Bakkali", "Baqali"),
    ("المنصوري", "Mansouri", "El Mansouri"),
    ("أمزيان", "Amzian", "Amziane"),
    ("أوعلي", "Ouali", "Ouali", "Oualy"),
    (
        "بوزيدي",
        "Bouzidi",
    ),
    ("الطاهري", "Taheri", "Tahiri"),
    ("الجراري", "Jirari", "Jerrari"),
    ("العثماني", "Othmani", "Otmani"),
    (
        "الرحماني",
        "Rahmani",
    ),
    ("الناصري", "Naciri", "Nasiri"),
    (
        "السلاوي",
        "Slaoui",
    ),
    (
        "الدكالي",
        "Doukkali",
    ),
    ("المريني", "Merini", "Marini"),
    (
        "الغزاوي",
        "Ghazaoui",
    ),
)

#: Places of birth and death (Arabic as on the act, French as on the French half of
#: documents): Meknes and its districts and communes first, then the towns around.
PLACES: tuple[tuple[str, str], ...] = (
    ("مكناس", "Meknès"),
    ("مكناس المدينة", "Meknès Médina"),
    ("المشور الستينية", "Méchouar Stinia"),
    ("الإسماعيلية", "Al Ismaïlia"),
    ("ويسلان", "Ouislane"),
    ("تولال", "Toulal"),
    ("بوفكران", "Boufakrane"),
    ("الحمرية", "Hamria"),
    ("سيدي بابا", "Sidi Baba"),
    ("البساتين", "Bassatine"),
    ("مرجان", "Marjane"),
    ("الزيتون", "Zitoune"),
    ("الحاجب", "El Hajeb"),
    ("فاس", "Fès"),
    ("آزرو", "Azrou"),
    ("خنيفرة", "Khénifra"),
    ("الرشيدية", "Errachidia"),
)
OCCUPATIONS: tuple[str, ...] = (
    "commerçant",
    "fonctionnaire",
    "agriculteur",
    "enseignant",
    "artisan",
    "ouvrier",
    "chauffeur",
    "infirmière",
    "couturière",
    "sans profession",
    "militaire",
    "menuisier",
)
DISTRICTS: tuple[str, ...] = (
    "Hay Salam",
    "Hay Riad",
    "Borj Moulay Omar",
    "Hamria",
    "Bab Bouamair",
    "Sidi Said",
    "Marjane 2",
    "Bassatine",
    "Hay Zitoune",
    "Ouislane",
)
OFFICERS: tuple[str, ...] = (
    "عبد الله الإدريسي",
    "محمد بنعلي",
    "نادية التازي",
    "رشيد العمراني",
    "سعاد الوزاني",
)
